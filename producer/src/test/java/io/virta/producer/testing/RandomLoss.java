package io.virta.producer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Random UDP loss on a test network link, for a kernel without netem: a tc eBPF classifier on the
 * egress of a namespace's veth end drops each IPv4 UDP packet with a given probability
 * ({@code bpf_get_prandom_u32() % 1000 < permille} gives TC_ACT_SHOT). TCP and everything else pass, so
 * RTSP itself is never disturbed, only RTP/RTCP over UDP.
 *
 * <p>The program is a few lines of LLVM IR compiled with {@code llc -march=bpf} (Debian's llvm package;
 * scripts/install-deps.sh installs it) and attached with {@code tc filter ... bpf da} on a clsact qdisc.
 * Inside the namespace, {@code /proc/net/snmp}'s Udp SndbufErrors counts the dropped packets exactly
 * ({@link #droppedPackets}). The namespace's deletion removes it.
 *
 * <pre>{@code
 * TestNetwork.Namespace camera = net.addNamespace();
 * RandomLoss.attach(camera, 30);             // 3 % of what the camera sends over UDP is lost
 * }</pre>
 */
public final class RandomLoss {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private RandomLoss() {
    }

    /** Drops {@code permille}/1000 of the IPv4 UDP packets leaving {@code ns} towards the root namespace. */
    public static void attach(TestNetwork.Namespace ns, int permille) {
        if (permille < 0 || permille > 1000) {
            throw new IllegalArgumentException("permille must be 0..1000, got " + permille);
        }
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/llc")), "llc (Debian package llvm) is missing");
        Path directory;
        try {
            directory = Files.createTempDirectory("virta-loss");
            Path source = directory.resolve("loss.ll");
            Files.writeString(source, program(permille));
            Path object = directory.resolve("loss.o");
            must(ExternalCommand.run(TIMEOUT, "/usr/bin/llc", "-march=bpf", "-filetype=obj", "-o", object.toString(),
                    source.toString()));
            ns.run("tc", "qdisc", "add", "dev", ns.innerInterface(), "clsact");
            ns.run("tc", "filter", "add", "dev", ns.innerInterface(), "egress", "bpf", "da", "obj", object.toString(),
                    "sec", "classifier");
            Files.delete(object);
            Files.delete(source);
            Files.delete(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the loss program", e);
        }
    }

    /** UDP packets the namespace could not send: with {@link #attach}, exactly those it dropped. */
    public static long droppedPackets(TestNetwork.Namespace ns) {
        String[] lines = ns.run("cat", "/proc/net/snmp").stdout().split("\n");
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

    /**
     * The classifier: IPv4 (ethertype 0x0800, read little-endian as 8) carrying UDP (protocol 17 at
     * byte 23 of the frame) is dropped when a random number mod 1000 is below {@code permille}.
     * Helpers: 26 is bpf_skb_load_bytes, 7 is bpf_get_prandom_u32.
     */
    private static String program(int permille) {
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

    private static void must(ExternalCommand.Result result) {
        if (!result.succeeded()) {
            throw new IllegalStateException("random loss: " + result.describe());
        }
    }
}
