package io.virta.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.virta.testkit.GstRtspServer;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.QueryRequest;
import io.virta.protos.events.v1.ReportRequest;
import io.virta.protos.events.v1.ReportResponse;
import io.virta.testkit.TestClips;
import io.virta.cli.VirtaJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code virta producer} as its own process, as a user runs it: config in, SIGTERM to stop. */
@Timeout(90)
class ProducerProcessTest {
    @Test
    void sigtermTearsDownAndRemovesTheChannels(@TempDir Path dir) throws Exception {
        String camera = "proc" + ProcessHandle.current().pid();
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).auth(GstRtspServer.Auth.DIGEST, "u", "secret99").start()) {
            Path config = dir.resolve("cameras.yaml");
            Files.writeString(config, "cameras:\n  - name: " + camera + "\n    url: " + server.url("/cam", "u", "secret99") + "\n"
                    + "control:\n  listen: 127.0.0.1:0\nevents:\n  journal: " + dir.resolve("events") + "\n");
            Process producer = new ProcessBuilder(VirtaJvm.command("producer", "--config", config.toString(),
                    "--status-every", "1")).redirectErrorStream(true).start();
            List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
            BufferedReader out = new BufferedReader(new InputStreamReader(producer.getInputStream(), StandardCharsets.UTF_8));
            Thread drain = Thread.ofPlatform().daemon().start(() -> out.lines().forEach(lines::add));
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // First the online event, then a status line ("<camera>: online  25.0 fps ...").
            while (List.copyOf(lines).stream().noneMatch(l -> l.contains(camera + ": online (RTP"))
                    || List.copyOf(lines).stream().noneMatch(l -> l.startsWith(camera + ": online "))) {
                assertTrue(System.nanoTime() < giveUp, "online and a status line within 30 s: " + lines);
                Thread.sleep(100);
            }
            assertTrue(Files.exists(Path.of("/dev/shm/virta." + camera + ".rgb")));
            reportToTheProducersHub(List.copyOf(lines), camera);
            producer.destroy();   // SIGTERM
            assertTrue(producer.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
            drain.join(5000);
            String all = String.join("\n", List.copyOf(lines));
            assertFalse(all.contains("secret99"), "the password never reaches the output:\n" + all);
            for (String suffix : new String[] {".h264", ".yuv", ".rgb"}) {
                assertFalse(Files.exists(Path.of("/dev/shm/virta." + camera + suffix)), suffix + " removed on shutdown");
            }
        }
    }

    /**
     * SIGTERM while a B-frame stream is decoded into every channel: the producer stops its cameras before
     * the bus closes what is left, so a clean stop prints no stack trace, no error and no offline line.
     * Twice, because the race it guards against does not lose every time.
     */
    @Test
    void sigtermOnABFrameStreamStopsCleanly(@TempDir Path dir) throws Exception {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264BFrames()).start()) {
            for (int round = 0; round < 2; round++) {
                String camera = "stop" + ProcessHandle.current().pid() + "r" + round;
                Path config = dir.resolve("stop" + round + ".yaml");
                Files.writeString(config, "cameras:\n  - name: " + camera + "\n    url: " + server.url("/cam")
                        + "\n    transport: tcp\ncontrol:\n  listen: 127.0.0.1:0\nevents:\n  journal: " + dir.resolve("events" + round)
                        + "\n");
                // Files, not pipes: what the process writes as it exits is all there once it has exited.
                Path out = dir.resolve("stop" + round + ".out");
                Path err = dir.resolve("stop" + round + ".err");
                Process producer = new ProcessBuilder(VirtaJvm.command("producer", "--config", config.toString(),
                        "--status-every", "0")).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                awaitYuvFrames(camera, out);
                producer.destroy();   // SIGTERM
                assertTrue(producer.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
                String all = Files.readString(out) + "\n" + Files.readString(err);
                assertEquals(143, producer.exitValue(), "the exit code of a SIGTERM'd JVM that shut down cleanly:\n" + all);
                assertTrue(all.contains("producer: shutting down"), all);
                for (String bad : new String[] {"Exception", "\tat ", "offline", "error", "SEVERE", "WARNING"}) {
                    assertFalse(all.contains(bad), "a clean stop prints no '" + bad.strip() + "':\n" + all);
                }
            }
        }
    }

    /** Waits until the camera is online and its .yuv channel has pictures, so the stop lands mid-decode. */
    private static void awaitYuvFrames(String camera, Path out) throws Exception {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(out).contains(camera + ": online (RTP")) {
            assertTrue(System.nanoTime() < giveUp, "online within 30 s: " + Files.readString(out));
            Thread.sleep(50);
        }
        try (var reader = io.virta.bus.ChannelReader.builder(camera + ".yuv").awaitWriter(java.time.Duration.ofSeconds(20))
                .start(io.virta.bus.ChannelReader.Start.NEXT).open()) {
            for (int frames = 0; frames < 10; frames++) {
                assertEquals(io.virta.bus.PullStatus.FRAME, reader.pull(java.time.Duration.ofSeconds(10)), camera + ".yuv");
            }
        }
    }

    /** The event hub shares the control API's port and takes events for the producer's cameras only. */
    private static void reportToTheProducersHub(List<String> lines, String camera) throws InterruptedException {
        String prefix = "producer: event hub (gRPC virta.events.v1.EventHub) on ";
        String line = lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
        String target = line.substring(prefix.length(), line.indexOf(','));
        assertTrue(lines.contains("producer: control API (gRPC virta.control.v1.ProducerControl) on " + target), lines.toString());
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
        try {
            var hub = EventHubGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
            long now = System.currentTimeMillis() * 1000;
            ReportResponse response = hub.report(ReportRequest.newBuilder()
                    .addEvents(Event.newBuilder().setType("motion").setCamera(camera).setCaptureTimeMicros(now))
                    .addEvents(Event.newBuilder().setType("motion").setCamera("garage").setCaptureTimeMicros(now))
                    .build());
            assertEquals(1, response.getAccepted());
            assertTrue(response.getRejections(0).getReason().startsWith("events[1].camera: 'garage' is not a camera"
                    + " of this hub; known cameras: " + camera), response.toString());
            assertEquals(camera, hub.query(QueryRequest.getDefaultInstance()).next().getCamera());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
