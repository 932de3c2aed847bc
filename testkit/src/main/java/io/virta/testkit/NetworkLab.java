package io.virta.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Network namespaces for tests and benchmarks that need a real network path between this process (in
 * the root namespace) and peers elsewhere: a camera on another host, a spoofing sender, a lossy link.
 *
 * <p>{@link #addNamespace()} creates a namespace joined to the root one by a veth pair on a /24 of its
 * own in {@code 10.213.0.0/16}: the root end is {@code .1}, the namespace end {@code .2}; the namespace
 * routes the rest of 10.213.0.0/16 through the root end and nothing else. Each /24 is claimed with a
 * blackhole route in the root namespace (a high metric, so the veth's own route wins while it exists):
 * nothing for a lab subnet can leak to a real network, before, during or after the run, and two labs (or
 * two processes) never pick the same subnet. Names carry a tag, the pid and a counter, so concurrent runs
 * do not collide. {@link #close()} removes everything it created.
 *
 * <p>{@link #randomUdpLoss} makes a link lossy without netem: a tc eBPF classifier on the egress of the
 * namespace's veth end drops each IPv4 UDP packet with a given probability
 * ({@code bpf_get_prandom_u32() % 1000 < permille} gives TC_ACT_SHOT). TCP passes, so RTSP itself is never
 * disturbed. The program is a few lines of LLVM IR compiled with {@code llc -march=bpf} (Debian's llvm).
 *
 * <pre>{@code
 * try (NetworkLab lab = NetworkLab.create("loss")) {
 *     NetworkLab.Namespace camera = lab.addNamespace();
 *     lab.randomUdpLoss(camera, 30);                      // 3 % of the camera's UDP is lost
 *     Process server = new ProcessBuilder(camera.exec("python3", "server.py", "--address", camera.address())).start();
 * }
 * }</pre>
 *
 * <p>Needs root (CAP_NET_ADMIN), iproute2 and, for loss, llvm. Use it from one thread.
 */
public final class NetworkLab implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int METRIC = 4000;
    private static final String LLC = "/usr/bin/llc";

    /** One namespace and its link to the root namespace. */
    public record Namespace(String name, String rootInterface, String innerInterface, String subnet,
            String address, String rootAddress) {

        /** {@code ip netns exec <name>} + {@code command}: the command line of a process started inside. */
        public List<String> exec(String... command) {
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
            full.addAll(List.of(command));
            return full;
        }

        /** Runs {@code command} inside the namespace; its stdout; throws if it fails. */
        public String run(String... command) {
            return mustRun(exec(command));
        }
    }

    private final String tag;
    private final long pid = ProcessHandle.current().pid();
    private final List<Namespace> namespaces = new ArrayList<>();
    private final List<String> blackholes = new ArrayList<>();

    private NetworkLab(String tag) {
        this.tag = tag;
    }

    /** A lab; {@code tag} (a few lower-case letters) goes into every name. */
    public static NetworkLab create(String tag) {
        return new NetworkLab(tag);
    }

    /** Whether this process may create namespaces: root, with iproute2. */
    public static boolean available() {
        return ProcessHandle.current().info().user().orElse("").equals("root") && Files.isExecutable(Path.of("/sbin/ip"));
    }

    /** Whether {@link #randomUdpLoss} can work here: llc is installed. */
    public static boolean lossAvailable() {
        return Files.isExecutable(Path.of(LLC)) && Files.isExecutable(Path.of("/sbin/tc"));
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
        mustRun(List.of("ip", "netns", "add", name));
        namespaces.add(ns);
        mustRun(List.of("ip", "link", "add", rootSide, "type", "veth", "peer", "name", innerSide));
        mustRun(List.of("ip", "link", "set", innerSide, "netns", name));
        mustRun(List.of("ip", "addr", "add", ns.rootAddress() + "/24", "dev", rootSide));
        mustRun(List.of("ip", "link", "set", rootSide, "up"));
        ns.run("ip", "addr", "add", ns.address() + "/24", "dev", innerSide);
        ns.run("ip", "link", "set", innerSide, "up");
        ns.run("ip", "link", "set", "lo", "up");
        ns.run("ip", "route", "add", "10.213.0.0/16", "via", ns.rootAddress());
        return ns;
    }

    /** Claims a /24 of 10.213.0.0/16 with a blackhole route; a subnet someone else holds fails to claim. */
    private String claimSubnet() {
        int start = (int) ((pid * 7 + COUNTER.get() * 13) % 250);
        for (int i = 0; i < 250; i++) {
            String subnet = "10.213." + (1 + (start + i) % 250) + ".0";
            if (!run(List.of("ip", "route", "show", "root", subnet + "/24")).output().isBlank()) {
                continue;
            }
            if (run(List.of("ip", "route", "add", "blackhole", subnet + "/24", "metric", Integer.toString(METRIC)))
                    .exitCode() == 0) {
                blackholes.add(subnet + "/24");
                return subnet;
            }
        }
        throw new IllegalStateException("no free /24 in 10.213.0.0/16 for a network lab");
    }

    /** Drops {@code permille}/1000 of the IPv4 UDP packets leaving {@code ns} towards the root namespace. */
    public void randomUdpLoss(Namespace ns, int permille) {
        if (permille < 0 || permille > 1000) {
            throw new IllegalArgumentException("permille must be 0..1000, got " + permille);
        }
        try {
            Path directory = Files.createTempDirectory("virta-loss");
            Path source = directory.resolve("loss.ll");
            Path object = directory.resolve("loss.o");
            try {
                Files.writeString(source, lossProgram(permille));
                mustRun(List.of(LLC, "-march=bpf", "-filetype=obj", "-o", object.toString(), source.toString()));
                ns.run("tc", "qdisc", "add", "dev", ns.innerInterface(), "clsact");
                ns.run("tc", "filter", "add", "dev", ns.innerInterface(), "egress", "bpf", "da", "obj",
                        object.toString(), "sec", "classifier");
            } finally {
                Files.deleteIfExists(object);
                Files.deleteIfExists(source);
                Files.deleteIfExists(directory);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the loss program", e);
        }
    }

    /** UDP packets {@code ns} could not send (Udp SndbufErrors): with {@link #randomUdpLoss}, those it dropped. */
    public static long droppedUdpPackets(Namespace ns) {
        String[] lines = ns.run("cat", "/proc/net/snmp").split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Udp:") && lines[i + 1].startsWith("Udp:")) {
                String[] names = lines[i].trim().split("\\s+");
                String[] values = lines[i + 1].trim().split("\\s+");
                for (int k = 0; k < names.length; k++) {
                    if (names[k].equals("SndbufErrors")) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        throw new IllegalStateException("no Udp SndbufErrors in /proc/net/snmp of " + ns.name());
    }

    /** Deletes the namespaces (their veth pairs go with them) and the blackhole routes. */
    @Override
    public void close() {
        for (Namespace ns : namespaces) {
            run(List.of("ip", "link", "del", ns.rootInterface()));
            run(List.of("ip", "netns", "del", ns.name()));
        }
        namespaces.clear();
        for (String subnet : blackholes) {
            run(List.of("ip", "route", "del", "blackhole", subnet, "metric", Integer.toString(METRIC)));
        }
        blackholes.clear();
    }

    /**
     * The classifier: IPv4 (ethertype 0x0800, read little-endian as 8) carrying UDP (protocol 17 at
     * byte 23 of the frame) is dropped when a random number mod 1000 is below {@code permille}.
     * Helpers: 26 is bpf_skb_load_bytes, 7 is bpf_get_prandom_u32.
     */
    private static String lossProgram(int permille) {
        return String.format(Locale.ROOT, """
                target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
                target triple = "bpf"

                define i32 @drop_udp(i8* %%skb) section "classifier" {
                entry:
                  %%buf = alloca [2 x i8], align 2
                  %%p = getelementptr inbounds [2 x i8], [2 x i8]* %%buf, i64 0, i64 0
                  %%r1 = call i64 inttoptr (i64 26 to i64 (i8*, i32, i8*, i32)*)(i8* %%skb, i32 12, i8* %%p, i32 2)
                  %%ok1 = icmp eq i64 %%r1, 0
                  br i1 %%ok1, label %%ethertype, label %%pass
                ethertype:
                  %%p16 = bitcast i8* %%p to i16*
                  %%type = load i16, i16* %%p16, align 2
                  %%ipv4 = icmp eq i16 %%type, 8
                  br i1 %%ipv4, label %%proto, label %%pass
                proto:
                  %%r2 = call i64 inttoptr (i64 26 to i64 (i8*, i32, i8*, i32)*)(i8* %%skb, i32 23, i8* %%p, i32 1)
                  %%ok2 = icmp eq i64 %%r2, 0
                  br i1 %%ok2, label %%checkudp, label %%pass
                checkudp:
                  %%protocol = load i8, i8* %%p, align 2
                  %%udp = icmp eq i8 %%protocol, 17
                  br i1 %%udp, label %%dice, label %%pass
                dice:
                  %%rand = call i64 inttoptr (i64 7 to i64 ()*)()
                  %%r32 = trunc i64 %%rand to i32
                  %%roll = urem i32 %%r32, 1000
                  %%drop = icmp ult i32 %%roll, %d
                  br i1 %%drop, label %%shot, label %%pass
                shot:
                  ret i32 2
                pass:
                  ret i32 0
                }
                """, permille);
    }

    private record Outcome(int exitCode, String output) {
    }

    private static String mustRun(List<String> command) {
        Outcome outcome = run(command);
        if (outcome.exitCode() != 0) {
            throw new IllegalStateException("network lab: " + String.join(" ", command) + " failed (exit "
                    + outcome.exitCode() + "): " + outcome.output().strip());
        }
        return outcome.output();
    }

    /** Runs a short command; stdout and stderr together (commands here print little). */
    private static Outcome run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Outcome(-1, output + " (timed out)");
            }
            return new Outcome(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.getFirst() + " (iproute2 and llvm: scripts/install-deps.sh)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }
}
