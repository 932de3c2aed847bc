package io.virta.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.virta.cli.VirtaJvm;
import io.virta.protos.control.v1.ListStreamsRequest;
import io.virta.protos.control.v1.ProducerControlGrpc;
import io.virta.grpc.ClientSecurity;
import io.virta.grpc.GrpcChannels;
import io.virta.grpc.GrpcTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code virta producer} as a user runs it, with the control API's access settings: a listen address
 * beyond loopback without a token stops it at start with a clear error; with a token and a Unix socket
 * it serves real clients that present the token and refuses those that do not, and the token shows up
 * neither in its output nor on its command line.
 */
@Timeout(90)
class ProducerAccessProcessTest {
    @TempDir
    Path dir;

    @Test
    void beyondLoopbackWithoutATokenStopsTheProducerAtStart() throws Exception {
        Path config = dir.resolve("open.yaml");
        Files.writeString(config, """
                control: { listen: "0.0.0.0:0" }
                events: { enabled: false }
                cameras:
                  - name: open%d
                    url: rtsp://127.0.0.1:9/nobody-listens
                """.formatted(ProcessHandle.current().pid()));
        Process producer = new ProcessBuilder(VirtaJvm.command("producer", "--config", config.toString()))
                .redirectErrorStream(true).start();
        String output = new String(producer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(producer.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, producer.exitValue(), output);
        assertTrue(output.contains("control.listen 0.0.0.0:0 reaches beyond this machine")
                && output.contains("Set control.tokenFile") && output.contains("control.allowUnauthenticated: true"), output);
        assertFalse(output.contains("started camera"), "no camera is touched: " + output);
    }

    @Test
    void aTokenAndASocketServeClientsThatPresentItAndTheTokenIsNeverShown() throws Exception {
        byte[] secret = new byte[24];
        ThreadLocalRandom.current().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        Path socket = dir.resolve("control.sock");
        String camera = "acc" + ProcessHandle.current().pid();
        Path config = dir.resolve("token.yaml");
        // The inline token: the weaker of the two ways, and the one a careless log would show.
        Files.writeString(config, """
                control:
                  listen: 127.0.0.1:0
                  token: %s
                  unixSocket: { path: %s }
                events: { enabled: false }
                cameras:
                  - name: %s
                    url: rtsp://127.0.0.1:9/nobody-listens
                """.formatted(token, socket, camera));
        Process producer = new ProcessBuilder(VirtaJvm.command("producer", "--config", config.toString(),
                "--status-every", "1")).redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        BufferedReader out = new BufferedReader(new InputStreamReader(producer.getInputStream(), StandardCharsets.UTF_8));
        Thread drain = Thread.ofPlatform().daemon().start(() -> out.lines().forEach(lines::add));
        try {
            String access = "producer: control API access: token required, plaintext, also on unix:" + socket;
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!List.copyOf(lines).contains(access)) {
                assertTrue(producer.isAlive() && System.nanoTime() < giveUp, () -> "no line '" + access + "': " + lines);
                Thread.sleep(50);
            }
            GrpcTarget unix = GrpcTarget.parse("unix:" + socket, "test");
            assertEquals(List.of(camera), listStreams(unix.with(ClientSecurity.token(token))));
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> listStreams(unix.with(ClientSecurity.NONE)));
            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());

            String cmdline = Files.readString(Path.of("/proc", Long.toString(producer.pid()), "cmdline"));
            assertTrue(cmdline.contains(config.toString()) && !cmdline.contains(token), "the token is on the command line");
        } finally {
            producer.destroy();   // SIGTERM
            assertTrue(producer.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
            drain.join(5000);
        }
        String all = String.join("\n", List.copyOf(lines));
        assertFalse(all.contains(token), "the token reached the output:\n" + all);
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the socket is removed on a clean stop");
    }

    private static List<String> listStreams(GrpcTarget target) throws InterruptedException {
        ManagedChannel channel = GrpcChannels.open(target);
        try {
            return ProducerControlGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listStreams(ListStreamsRequest.getDefaultInstance()).getStreamsList().stream()
                    .map(s -> s.getName()).toList();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
