package io.virta.producer.supervise;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.virta.cli.VirtaLaunch;
import io.virta.bus.ChannelReader;
import io.virta.bus.PullStatus;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.control.ControlServer;
import io.virta.producer.daemon.Producer;
import io.virta.producer.source.StreamEvents;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.TestClips;
import io.virta.cli.VirtaJvm;
import io.virta.protos.control.v1.GetStreamRequest;
import io.virta.protos.control.v1.ListWorkersRequest;
import io.virta.protos.control.v1.ProducerControlGrpc;
import io.virta.protos.control.v1.StreamState;
import io.virta.protos.control.v1.WorkerState;
import io.virta.protos.control.v1.WorkerStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Supervision end to end: a real producer ingesting gst-rtsp-server launches a real Python worker
 * that reads the camera's RGB channel; the worker is killed with SIGKILL and comes back, while a
 * reader of another channel loses nothing and the camera stays online.
 */
@Timeout(120)
class WorkerSupervisionTest {
    static final Path PYTHON_CLIENT = Path.of("..", "python-client", "src").toAbsolutePath().normalize();
    static final Path PEERS = io.virta.testkit.ModulePaths.peersDirectory();

    @Test
    void aKilledWorkerComesBackAndStreamingGoesOn() throws Exception {
        String camera = "sup" + ProcessHandle.current().pid();
        BlockingQueue<String> output = new LinkedBlockingQueue<>();
        try (GstRtspServer rtsp = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start()) {
            ProducerConfig config = ProducerConfig.parse("""
                    ioThreads: 1
                    control: { listen: "127.0.0.1:0" }
                    cameras:
                      - name: %s
                        url: %s
                        transport: tcp
                        rgb: { width: 160, height: 120 }
                        # 64 cells: 2.5 s of slack, so the test's own reader cannot overrun on a busy machine.
                        yuv: { cells: 64 }
                    workers:
                      - name: counter
                        camera: %s
                        command: [/usr/bin/python3, %s, "{camera}.rgb"]
                        env: { PYTHONPATH: %s }
                        restart: { minSeconds: 0.2 }
                    """.formatted(camera, rtsp.url("/cam"), camera, PEERS.resolve("frame_counting_worker.py"),
                    PYTHON_CLIENT), "test");
            try (Producer producer = new Producer(config, StreamEvents.NONE);
                 ControlServer control = ControlServer.start(config.controlListen(), producer)) {
                producer.start();
                producer.startWorkers(control.target(), VirtaLaunch.javaWorkers(), (worker, line) -> output.add(line));
                ManagedChannel channel = Grpc.newChannelBuilder(control.target(), InsecureChannelCredentials.create()).build();
                try {
                    var api = ProducerControlGrpc.newBlockingStub(channel);
                    WorkerStatus first = awaitWorker(api, w -> w.getState() == WorkerState.WORKER_STATE_RUNNING);
                    awaitLine(output, "worker " + first.getPid() + " frames");
                    assertEquals(camera, first.getCamera());
                    assertTrue(first.getCommandList().contains("/usr/bin/python3"), first.toString());

                    try (ChannelReader yuv = ChannelReader.builder(camera + ".yuv").open()) {
                        // Reads the other channel all along, from before the crash to after the restart.
                        Thread reading = Thread.ofPlatform().name("yuv-reader").start(() -> pullUntilInterrupted(yuv));
                        try {
                            ProcessHandle.of(first.getPid()).orElseThrow().destroyForcibly();
                            WorkerStatus second = awaitWorker(api, w -> w.getRestarts() == 1
                                    && w.getState() == WorkerState.WORKER_STATE_RUNNING && w.getPid() != first.getPid());
                            assertEquals("killed by signal 9 (SIGKILL)", second.getLastError());
                            assertEquals(137, second.getLastExitCode());
                            // The new process reads the channel again: the dead one's reader slot did not block it.
                            awaitLine(output, "worker " + second.getPid() + " frames");
                        } finally {
                            reading.interrupt();
                            reading.join();
                        }
                        assertTrue(yuv.frames() > 10, "the other channel's reader got " + yuv.frames() + " frames");
                        assertEquals(0, yuv.lost(), "the other channel's reader lost frames during the crash");
                    }
                    var stream = api.getStream(GetStreamRequest.newBuilder().setName(camera).build());
                    assertEquals(StreamState.STREAM_STATE_ONLINE, stream.getState());
                    assertEquals(0, stream.getStats().getReconnects(), stream.toString());
                } finally {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void workersDieWithAProducerKilledBySigkill() throws Exception {
        Path dir = Files.createTempDirectory("virta-sup");
        Path pidFile = dir.resolve("worker.pid");
        Path yaml = dir.resolve("producer.yaml");
        Files.writeString(yaml, """
                control: { listen: "127.0.0.1:0" }
                events: { journal: %s }
                cameras:
                  - name: orphan%d
                    url: rtsp://127.0.0.1:9/nothing-listens-here
                workers:
                  - name: sleeper
                    camera: orphan%d
                    command: [/bin/sh, -c, "echo $$ > %s; exec sleep 300"]
                """.formatted(dir.resolve("journal"), ProcessHandle.current().pid(), ProcessHandle.current().pid(),
                pidFile));
        Process producer = new ProcessBuilder(VirtaJvm.command("producer", "--config", yaml.toString(),
                "--status-every", "0"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("producer.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
                assertTrue(producer.isAlive(), () -> "producer exited: " + read(dir.resolve("producer.log")));
                assertTrue(System.nanoTime() < deadline, "the worker did not start");
                Thread.sleep(50);
            }
            ProcessHandle worker = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).orElseThrow();
            assertTrue(worker.isAlive());
            producer.destroyForcibly().waitFor();
            worker.onExit().get(10, TimeUnit.SECONDS);
            assertFalse(worker.isAlive(), "the worker outlived its producer");
        } finally {
            producer.destroyForcibly();
            try (var files = Files.walk(dir)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            return "";
        }
    }

    private static WorkerStatus awaitWorker(ProducerControlGrpc.ProducerControlBlockingStub api,
            Predicate<WorkerStatus> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        WorkerStatus last = null;
        while (System.nanoTime() < deadline) {
            List<WorkerStatus> workers = api.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listWorkers(ListWorkersRequest.getDefaultInstance()).getWorkersList();
            assertEquals(1, workers.size());
            last = workers.getFirst();
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("worker never reached the expected state; last: " + last);
    }

    private static void awaitLine(BlockingQueue<String> output, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = output.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith(prefix)) {
                return;
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "' from the worker");
    }

    private static void pullUntilInterrupted(ChannelReader reader) {
        while (!Thread.currentThread().isInterrupted()) {
            PullStatus status = reader.pull(Duration.ofMillis(200));
            if (status != PullStatus.FRAME && status != PullStatus.OVERRUN && status != PullStatus.TIMEOUT) {
                throw new AssertionError("reader of the other channel: " + status);
            }
        }
    }
}
