package io.virta.worker;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The callback API on real bus channels: the order of calls, overruns, timeouts, re-attaching, stopping. */
@Timeout(60)
class WorkerRunnerTest extends TestChannels {
    /** Writes frames on a thread of its own until stopped. */
    private static final class PacedWriter implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        PacedWriter(ChannelWriter writer, long intervalMillis) {
            thread = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    writeGradient(writer, writer.spec().width(), writer.spec().height());
                    sleep(intervalMillis);
                }
            });
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Records each call, optionally slow or failing. */
    private static final class RecordingWorker implements Worker {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile long frameMillis;
        volatile boolean failOnStart;
        volatile int failAtFrame = -1;
        volatile int frames;

        @Override
        public void onStart(WorkerContext context) {
            calls.add("start " + context.camera() + " " + context.width() + "x" + context.height());
            if (failOnStart) {
                throw new IllegalStateException("no model file");
            }
        }

        @Override
        public void onFrame(WorkerFrame frame, WorkerContext context) {
            if (frames++ == failAtFrame) {
                throw new IllegalStateException("analysis bug");
            }
            calls.add("frame " + frame.sequence());
            context.report(context.event("test").captureTimeMicros(frame.captureTimeMicros()).build());
            sleep(frameMillis);
        }

        @Override
        public void onOverrun(long lost) {
            calls.add("overrun " + lost);
        }

        @Override
        public void onTimeout() {
            calls.add("timeout");
        }

        @Override
        public void onReattach(WorkerContext context) {
            calls.add("reattach");
        }

        @Override
        public void onStop() {
            calls.add("stop");
        }

        boolean saw(String prefix) {
            return calls.stream().anyMatch(c -> c.startsWith(prefix));
        }
    }

    @Test
    void framesFlowBetweenStartAndStopAndCloseCleansUp() throws Exception {
        String name = channelName("run");
        RecordingWorker worker = new RecordingWorker();
        CollectingSink sink = new CollectingSink();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 32, 16));
             PacedWriter _ = new PacedWriter(writer, 10)) {
            WorkerRunner runner = WorkerRunner.builder(worker, FrameSource.channel(name, "yard")).name("recorder")
                    .events(sink).pullTimeout(Duration.ofMillis(200)).start();
            assertEquals("start yard 32x16", worker.calls.getFirst());
            awaitCondition(() -> sink.events().size() >= 5);
            assertEquals(1, writer.readerCount());
            runner.close();
            assertFalse(runner.isRunning());
            assertEquals("stop", worker.calls.getLast());
            assertEquals(0, writer.readerCount(), "the reader left the channel");
            assertTrue(sink.isClosed(), "the runner closed its sinks");
            assertEquals("recorder", sink.events().getFirst().getSource());
            assertEquals("yard", sink.events().getFirst().getCamera());
            assertTrue(runner.counters().frames() >= 5);
            assertEquals(null, runner.failure());
        }
    }

    @Test
    void aSlowWorkerHearsOfOverrunsAndAQuietChannelOfTimeouts() throws Exception {
        String name = channelName("slow");
        RecordingWorker worker = new RecordingWorker();
        worker.frameMillis = 60;
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16).cells(2));
             WorkerRunner runner = WorkerRunner.builder(worker, FrameSource.channel(name))
                     .pullTimeout(Duration.ofMillis(100)).start()) {
            try (PacedWriter _ = new PacedWriter(writer, 5)) {
                awaitCondition(() -> worker.saw("overrun"));
            }
            awaitCondition(() -> worker.saw("timeout"));
            assertTrue(runner.counters().lost() > 0);
        }
    }

    @Test
    void aNewWriterIsAnnouncedToTheWorker() throws Exception {
        String name = channelName("again");
        RecordingWorker worker = new RecordingWorker();
        ChannelWriter first = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16));
        try (WorkerRunner runner = WorkerRunner.builder(worker, FrameSource.channel(name))
                .pullTimeout(Duration.ofMillis(100)).start()) {
            writeGradient(first, 16, 16);
            awaitCondition(() -> worker.saw("frame 1"));
            first.close();
            try (ChannelWriter second = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16))) {
                awaitCondition(() -> worker.saw("reattach"));
                writeGradient(second, 16, 16);
                awaitCondition(() -> worker.calls.stream().filter(c -> c.equals("frame 1")).count() == 2);
                assertEquals(1, runner.counters().reattaches());
            }
        } finally {
            first.close();
        }
    }

    @Test
    void aFailingStartIsReportedAndLeavesNothingBehind() {
        String name = channelName("nostart");
        RecordingWorker worker = new RecordingWorker();
        worker.failOnStart = true;
        CollectingSink sink = new CollectingSink();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16))) {
            WorkerStartException e = assertThrows(WorkerStartException.class,
                    () -> WorkerRunner.builder(worker, FrameSource.channel(name)).name("w").events(sink).start());
            assertTrue(e.getMessage().contains("worker 'w' failed to start: no model file"), e.getMessage());
            assertEquals(0, writer.readerCount());
            assertTrue(sink.isClosed());
        }
    }

    @Test
    void aFailingFrameStopsTheRunnerWithTheCause() throws Exception {
        String name = channelName("fail");
        RecordingWorker worker = new RecordingWorker();
        worker.failAtFrame = 2;
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16));
             PacedWriter _ = new PacedWriter(writer, 5);
             WorkerRunner runner = WorkerRunner.builder(worker, FrameSource.channel(name)).start()) {
            assertTrue(runner.awaitTermination(Duration.ofSeconds(10)));
            assertNotNull(runner.failure());
            assertEquals("analysis bug", runner.failure().getMessage());
            assertEquals("stop", worker.calls.getLast());
            assertEquals(0, writer.readerCount());
        }
    }

    static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long giveUp = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < giveUp, "condition not met within 20 s");
            Thread.sleep(10);
        }
    }

    static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
