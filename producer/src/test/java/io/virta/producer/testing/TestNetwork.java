package io.virta.producer.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Network namespaces for tests that need a real network path between the producer (in the test's own,
 * root, namespace) and peers elsewhere: a camera on another host, a spoofing sender, a lossy link.
 *
 * <p>{@link #addNamespace()} creates a namespace joined to the root one by a veth pair on a /24 of its
 * own in {@code 10.213.0.0/16}: the root end is {@code .1}, the namespace end {@code .2}. Each /24 is
 * claimed with a blackhole route in the root namespace (a high metric, so the veth's own route wins
 * while it exists): nothing for the test subnet can leak to a real network, before, during or after
 * the test, and two tests (or two JVMs) never pick the same subnet. Names carry a tag, the JVM's pid
 * and a counter, so concurrent runs do not collide. {@link #close()} removes everything it created.
 *
 * <pre>{@code
 * try (TestNetwork net = TestNetwork.create("spoof")) {
 *     TestNetwork.Namespace camera = net.addNamespace();
 *     server = GstRtspServer.builder().inNamespace(camera).mount(...).start();   // listens on camera.address()
 *     camera.run("ip", "route");                                                // a command inside
 * }
 * }</pre>
 *
 * <p>Needs root (CAP_NET_ADMIN) and iproute2; a test on a machine without them is skipped
 * ({@link #create} assumes it). Not thread-safe: one test thread builds and tears down its network.
 */
public final class TestNetwork implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int METRIC = 4000;

    /** One namespace and its link to the root namespace. */
    public record Namespace(String name, String rootInterface, String innerInterface, String subnet,
            String address, String rootAddress) {

        /** {@code ip netns exec <name>} + {@code command}: a prefix for a process started inside. */
        public List<String> exec(String... command) {
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
            full.addAll(List.of(command));
            return full;
        }

        /** Runs {@code command} inside the namespace and fails the test if it fails. */
        public ExternalCommand.Result run(String... command) {
            return mustSucceed(exec(command));
        }
    }

    private final String tag;
    private final long pid = ProcessHandle.current().pid();
    private final List<Namespace> namespaces = new ArrayList<>();
    private final List<String> blackholes = new ArrayList<>();

    private TestNetwork(String tag) {
        this.tag = tag;
    }

    /** A network for one test; {@code tag} (a few lower-case letters) goes into every name. */
    public static TestNetwork create(String tag) {
        assumeTrue(ProcessHandle.current().info().user().orElse("").equals("root"),
                "network namespaces need root (CAP_NET_ADMIN)");
        assumeTrue(ExternalCommand.run(COMMAND_TIMEOUT, "ip", "netns", "list").succeeded(), "iproute2 is missing");
        return new TestNetwork(tag);
    }

    /** A new namespace linked to the root namespace by a veth pair on a free /24. */
    public Namespace addNamespace() {
        int n = COUNTER.incrementAndGet();
        String name = "virta-" + tag + "-" + pid + "-" + n;
        // Interface names have at most 15 characters.
        String id = Long.toString(pid, 36) + Integer.toString(n, 36);
        String rootSide = "vt" + id + "r";
        String innerSide = "vt" + id + "n";
        String subnet = claimSubnet();
        String prefix = subnet.substring(0, subnet.lastIndexOf('.') + 1);
        Namespace ns = new Namespace(name, rootSide, innerSide, subnet + "/24", prefix + "2", prefix + "1");
        mustSucceed(List.of("ip", "netns", "add", name));
        namespaces.add(ns);
        mustSucceed(List.of("ip", "link", "add", rootSide, "type", "veth", "peer", "name", innerSide));
        mustSucceed(List.of("ip", "link", "set", innerSide, "netns", name));
        mustSucceed(List.of("ip", "addr", "add", ns.rootAddress() + "/24", "dev", rootSide));
        mustSucceed(List.of("ip", "link", "set", rootSide, "up"));
        ns.run("ip", "addr", "add", ns.address() + "/24", "dev", innerSide);
        ns.run("ip", "link", "set", innerSide, "up");
        ns.run("ip", "link", "set", "lo", "up");
        // The namespace reaches the root namespace's other test subnets through its veth, nothing else.
        ns.run("ip", "route", "add", "10.213.0.0/16", "via", ns.rootAddress());
        return ns;
    }

    /** Claims a /24 of 10.213.0.0/16 with a blackhole route; a subnet someone else holds fails to claim. */
    private String claimSubnet() {
        int start = (int) ((pid * 7 + COUNTER.get() * 13) % 250);
        for (int i = 0; i < 250; i++) {
            String subnet = "10.213." + (1 + (start + i) % 250) + ".0";
            boolean taken = !ExternalCommand.run(COMMAND_TIMEOUT, "ip", "route", "show", "root", subnet + "/24")
                    .stdout().isBlank();
            if (taken) {
                continue;
            }
            if (ExternalCommand.run(COMMAND_TIMEOUT, "ip", "route", "add", "blackhole", subnet + "/24", "metric",
                    Integer.toString(METRIC)).succeeded()) {
                blackholes.add(subnet + "/24");
                return subnet;
            }
        }
        throw new IllegalStateException("no free /24 in 10.213.0.0/16 for a test network");
    }

    /** Deletes the namespaces (their veth pairs go with them) and the blackhole routes. */
    @Override
    public void close() {
        for (Namespace ns : namespaces) {
            ExternalCommand.run(COMMAND_TIMEOUT, "ip", "link", "del", ns.rootInterface());
            ExternalCommand.run(COMMAND_TIMEOUT, "ip", "netns", "del", ns.name());
        }
        namespaces.clear();
        for (String subnet : blackholes) {
            ExternalCommand.run(COMMAND_TIMEOUT, "ip", "route", "del", "blackhole", subnet, "metric",
                    Integer.toString(METRIC));
        }
        blackholes.clear();
    }

    private static ExternalCommand.Result mustSucceed(List<String> command) {
        ExternalCommand.Result result = ExternalCommand.run(COMMAND_TIMEOUT, command);
        if (!result.succeeded()) {
            throw new IllegalStateException("test network: " + result.describe());
        }
        return result;
    }
}
