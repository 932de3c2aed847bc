package io.virta.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.virta.producer.testing.GstRtspServer;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.QueryRequest;
import io.virta.protos.events.v1.ReportRequest;
import io.virta.protos.events.v1.ReportResponse;
import io.virta.producer.testing.TestClips;
import io.virta.producer.testing.VirtaJvm;
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
