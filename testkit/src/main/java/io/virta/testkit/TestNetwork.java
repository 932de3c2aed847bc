package io.virta.testkit;

import io.virta.testkit.NetworkLab;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link NetworkLab} for tests: namespaces joined to the test's own by veth pairs, on blackholed
 * subnets of 10.213.0.0/16, removed at close; a test on a machine that cannot make them (not root,
 * no iproute2, or no llvm for loss) is skipped rather than failed.
 *
 * <pre>{@code
 * try (NetworkLab net = TestNetwork.create("spoof")) {
 *     NetworkLab.Namespace camera = net.addNamespace();
 *     TestNetwork.randomUdpLoss(net, camera, 30);
 *     server = GstRtspServer.builder().inNamespace(camera).mount(...).start();
 * }
 * }</pre>
 */
public final class TestNetwork {
    private TestNetwork() {
    }

    /** A lab; the test is skipped where namespaces cannot be made. */
    public static NetworkLab create(String tag) {
        assumeTrue(NetworkLab.available(), "network namespaces need root (CAP_NET_ADMIN) and iproute2");
        return NetworkLab.create(tag);
    }

    /** {@link NetworkLab#randomUdpLoss}; the test is skipped without llc (Debian package llvm). */
    public static void randomUdpLoss(NetworkLab net, NetworkLab.Namespace ns, int permille) {
        assumeTrue(NetworkLab.lossAvailable(), "llc (Debian package llvm) and tc are needed for packet loss");
        net.randomUdpLoss(ns, permille);
    }
}
