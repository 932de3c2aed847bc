package io.virta.producer.supervise;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.virta.cli.VirtaLaunch;
import io.virta.hub.EventHub;
import io.virta.hub.EventHubService;
import io.virta.hub.validate.CameraDirectory;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.control.ControlServer;
import io.virta.producer.daemon.Producer;
import io.virta.producer.source.StreamEvents;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.TestClips;
import io.virta.protos.control.v1.ListWorkersRequest;
import io.virta.protos.control.v1.ProducerControlGrpc;
import io.virta.protos.control.v1.WorkerStatus;
import io.virta.protos.events.v1.EventFilter;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.SubscribeRequest;
import io.virta.protos.events.v1.SubscribeResponse;
import io.virta.grpc.ClientSecurity;
import io.virta.grpc.GrpcChannels;
import io.virta.grpc.GrpcTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Supervised workers against a producer whose control API and hub require a token: a Java motion
 * worker and a Python motion worker, launched by the producer, find their camera through the control
 * API and report events to the hub, both with the token they got through their environment. The token
 * is in no worker's command line ({@code /proc/PID/cmdline}, what {@code ps} shows), in no line the
 * workers or the producer's supervisor wrote, and not in ListWorkers' command lines.
 */
@Timeout(150)
class AuthenticatedWorkersTest {
    private static final Path PYTHON_CLIENT = Path.of("..", "python-client", "src").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void javaAndPythonWorkersConnectWithTheTokenFromTheirEnvironment() throws Exception {
        String camera = "auth" + ProcessHandle.current().pid();
        byte[] secret = new byte[24];
        ThreadLocalRandom.current().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        Path tokenFile = dir.resolve("control.token");
        Files.writeString(tokenFile, token);
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        try (GstRtspServer rtsp = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start()) {
            ProducerConfig config = ProducerConfig.parse("""
                    ioThreads: 1
                    control: { listen: "127.0.0.1:0", tokenFile: %s }
                    cameras:
                      - name: %s
                        url: %s
                        transport: tcp
                        rgb: { width: 160, height: 120 }
                    workers:
                      - name: motion-java
                        camera: %2$s
                        worker: motion
                        args: [--fps, 10, --min-area, 0.0005]
                      - name: motion-py
                        camera: %2$s
                        command: [/usr/bin/python3, -m, virta.workers.motion, --camera, "{camera}", --control, "{control}",
                                  --name, "{name}", --fps, 10, --min-area, 0.0005]
                        env: { PYTHONPATH: %s }
                    """.formatted(tokenFile, camera, rtsp.url("/cam"), PYTHON_CLIENT), "test");
            try (Producer producer = new Producer(config, StreamEvents.NONE);
                 EventHub hub = EventHub.open(EventHub.Options.of(dir.resolve("journal"), CameraDirectory.of(List.of(camera))));
                 ControlServer control = ControlServer.start(config.control(), producer, new EventHubService(hub))) {
                producer.start();
                producer.startWorkers(control.localTarget(), control.clientEnvironment(), VirtaLaunch.javaWorkers(),
                        (worker, line) -> output.add(worker + ": " + line));
                ManagedChannel channel = GrpcChannels.open(GrpcTarget.parse(control.target(), "test")
                        .with(ClientSecurity.token(token)));
                Set<String> reported = ConcurrentHashMap.newKeySet();
                try (Context.CancellableContext subscription = Context.current().withCancellation()) {
                    subscription.run(() -> {
                        Iterator<SubscribeResponse> events = EventHubGrpc.newBlockingStub(channel)
                                .withDeadlineAfter(120, TimeUnit.SECONDS)
                                .subscribe(SubscribeRequest.newBuilder()
                                        .setFilter(EventFilter.newBuilder().addCameras(camera)).build());
                        while (!reported.containsAll(List.of("motion-java", "motion-py"))) {
                            SubscribeResponse response = events.next();
                            if (response.hasEvent()) {
                                reported.add(response.getEvent().getSource());
                            }
                        }
                    });
                } catch (RuntimeException e) {
                    throw new AssertionError("events from " + reported + "; output:\n" + String.join("\n", output), e);
                }
                List<WorkerStatus> workers = ProducerControlGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).listWorkers(ListWorkersRequest.getDefaultInstance())
                        .getWorkersList();
                assertEquals(2, workers.size());
                for (WorkerStatus worker : workers) {
                    assertEquals(0, worker.getRestarts(), () -> worker + "\n" + String.join("\n", output));
                    assertFalse(String.join(" ", worker.getCommandList()).contains(token), "ListWorkers shows the token");
                    String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(worker.getPid()),
                            "cmdline")), StandardCharsets.UTF_8);
                    assertTrue(cmdline.contains(camera), cmdline);
                    assertFalse(cmdline.contains(token), "the token is on worker " + worker.getName() + "'s command line");
                    String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(worker.getPid()),
                            "environ")), StandardCharsets.UTF_8);
                    assertTrue(environ.contains(ClientSecurity.TOKEN_FILE_ENV + "=" + tokenFile.toAbsolutePath()), environ);
                    assertFalse(environ.contains(token), "a token from a file is handed on as the file's path");
                }
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        synchronized (output) {
            assertTrue(output.stream().noneMatch(line -> line.contains(token)), "a worker or the supervisor logged the token");
        }
    }
}
