package io.virta.producer.ingest;

import io.virta.producer.status.CameraStatus;
import io.virta.testkit.ExternalCommand;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.RtpSpoofer;
import io.virta.testkit.TestClips;
import io.virta.testkit.NetworkLab;
import io.virta.testkit.TestNetwork;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Forged RTP aimed at a camera's UDP ports does not reach its stream. The camera (gst-rtsp-server) runs
 * in network namespace A and the producer, in this JVM, reaches it over a veth pair; two spoofers send
 * RTP-shaped junk with sequence numbers counting up, as a real stream's do, at the producer's RTP port:
 * <ul>
 *   <li>from namespace B, another host: to the address the producer reaches the camera from, and to
 *       the producer's address on B's link (a socket bound to every interface would take those too);</li>
 *   <li>from namespace A with the camera's own address and each of its UDP ports as the source, so one
 *       stream of them comes from the camera's RTP port: only its SSRC tells it apart.</li>
 * </ul>
 * Every junk datagram that reaches the socket is counted as rejected, and none becomes a lost packet or
 * a dropped unit. Needs root, for the namespaces and the raw socket; skipped without.
 */
class RtpSpoofingTest {
    private static final int JUNK_PER_DESTINATION = 1500;

    @Test
    void junkFromOtherHostsAndForgedSourcesIsRejectedAndCostsNoFrames() throws Exception {
        try (NetworkLab net = TestNetwork.create("spoof")) {
            NetworkLab.Namespace cameraHost = net.addNamespace();
            NetworkLab.Namespace attacker = net.addNamespace();
            try (GstRtspServer server = GstRtspServer.builder().inNamespace(cameraHost)
                    .mount("/cam", TestClips.h264Small()).start();
                 IngestHarness harness = new IngestHarness("url: " + server.url("/cam") + "\ntransport: udp\n")) {
                harness.awaitEvent("online udp", Duration.ofSeconds(20));
                CameraStatus.Stats before = awaitStats(harness, s -> s.unitsReceived() >= 10, "10 units");
                int rtpPort = producerRtpPort(cameraHost.rootAddress());
                String target = cameraHost.rootAddress() + ":" + rtpPort;

                run(attacker.exec(spoofer("--to", target, "--to", attacker.rootAddress() + ":" + rtpPort)));
                List<String> forged = new ArrayList<>(List.of("--to", target));
                for (int port : udpPorts(cameraHost)) {
                    forged.addAll(List.of("--source", cameraHost.address() + ":" + port));
                }
                run(cameraHost.exec(spoofer(forged.toArray(String[]::new))));
                int sources = (forged.size() - 2) / 2;
                long reachingTheSocket = (long) JUNK_PER_DESTINATION * (1 + sources);

                CameraStatus.Stats after = awaitStats(harness,
                        s -> s.packetsRejected() >= reachingTheSocket && s.unitsReceived() >= before.unitsReceived() + 25,
                        reachingTheSocket + " rejected datagrams and 25 more units");
                assertEquals(reachingTheSocket, after.packetsRejected(),
                        "every junk datagram that reached the socket was rejected, and only those"
                                + " (the ones sent to the attacker's link address never reach it)");
                assertEquals(before.packetsLost(), after.packetsLost(), "junk counted as no lost packet");
                assertEquals(before.unitsDropped(), after.unitsDropped(), "junk cost no unit");
                assertEquals(0, after.reconnects(), "the session kept playing");
            }
        }
    }

    private static String[] spoofer(String... arguments) {
        return RtpSpoofer.command(JUNK_PER_DESTINATION, arguments);
    }

    private static void run(List<String> command) {
        ExternalCommand.Result result = ExternalCommand.run(Duration.ofSeconds(60), command);
        assertTrue(result.succeeded() && result.stdout().contains("SENT"), result.describe());
    }

    private static CameraStatus.Stats awaitStats(IngestHarness harness, Predicate<CameraStatus.Stats> condition,
            String what) throws InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        CameraStatus.Stats stats = harness.producer.status(harness.camera).stats();
        while (!condition.test(stats)) {
            if (System.nanoTime() > giveUp) {
                fail("waited 30 s for " + what + "; stats " + stats + "; events " + harness.events);
            }
            Thread.sleep(50);
            stats = harness.producer.status(harness.camera).stats();
        }
        return stats;
    }

    /**
     * The producer's RTP port: of this JVM's UDP sockets (its file descriptors, matched by inode in
     * /proc/net/udp), the even-numbered one in the producer's range bound to the address the producer
     * reaches the camera from (sockets of earlier tests in this JVM are bound elsewhere).
     */
    private static int producerRtpPort(String expectedAddress) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        inodes.add(link.substring(8, link.length() - 1));
                    }
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !inodes.contains(f[9])) {
                continue;
            }
            int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
            boolean onTheCameraLink = f[1].substring(0, f[1].indexOf(':')).equalsIgnoreCase(procNetHex(expectedAddress));
            if (onTheCameraLink && port >= 20_000 && port < 60_000 && port % 2 == 0) {
                return port;
            }
        }
        fail("no RTP socket of this JVM bound to " + expectedAddress + " in /proc/net/udp (one bound to every"
                + " interface, 0.0.0.0, would take datagrams for any of this host's addresses)");
        return -1;
    }

    /** An IPv4 address as /proc/net/udp writes it: the four bytes in host (little-endian) order, in hex. */
    private static String procNetHex(String address) {
        String[] octets = address.split("\\.");
        StringBuilder hex = new StringBuilder();
        for (int i = 3; i >= 0; i--) {
            hex.append(String.format("%02X", Integer.parseInt(octets[i])));
        }
        return hex.toString();
    }

    /** The UDP ports bound inside a namespace (the camera's RTP/RTCP sockets among them). */
    private static List<Integer> udpPorts(NetworkLab.Namespace ns) {
        List<Integer> ports = new ArrayList<>();
        for (String line : ns.run("cat", "/proc/net/udp").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 1 && f[1].contains(":") && !f[0].startsWith("sl")) {
                ports.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
            }
        }
        assertFalse(ports.isEmpty(), "the camera has UDP sockets");
        return ports;
    }
}
