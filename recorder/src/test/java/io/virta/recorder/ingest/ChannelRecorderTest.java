package io.virta.recorder.ingest;

import io.virta.recorder.Recorder;
import io.virta.recorder.ingest.BusStream.StoredFrame;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;
import io.virta.recorder.store.SegmentReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recorder as a bus reader: real channels, a real store. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChannelRecorderTest {
    private static final SegmentPolicy POLICY = SegmentPolicy.DEFAULT.withSegmentBytes(4 << 20)
            .withSync(Duration.ofMillis(100));

    @TempDir
    Path store;

    @Test
    void everyFramePublishedIsInTheStoreByteExactBySequence() throws Exception {
        int frames = 300;
        try (BusStream stream = BusStream.create("rec-all", 64)) {
            try (Recorder recorder = Recorder.open(store, POLICY, List.of(CameraChannel.h264(stream.camera)),
                    IngestOptions.DEFAULT)) {
                ChannelRecorder camera = recorder.camera(stream.camera);
                stream.awaitReader();
                for (int i = 0; i < frames; i++) {
                    stream.publishPaced(0, camera);
                }
                await(() -> camera.lastWrittenSequence() == frames, "the recorder to write frame " + frames, camera);
                assertEquals(frames, camera.framesWritten());
                assertEquals(0, camera.framesLost());
                assertEquals(0, camera.framesSkipped());
                await(() -> camera.lastSyncMicros() > 0, "an idle tick to sync what was written", camera);
            }
            try (RecordingStore reopened = RecordingStore.open(store, POLICY)) {
                assertTrue(reopened.recovery().clean(), "a closed recorder leaves nothing to recover: " + reopened.recovery());
                List<StoredFrame> stored = BusStream.read(store, reopened.index(), stream.camera);
                assertEquals(frames, stored.size());
                for (int i = 0; i < frames; i++) {
                    assertEquals(i + 1, stored.get(i).sequence());
                    assertTrue(stored.get(i).matches(0), "frame " + (i + 1) + " differs from what was published");
                }
            }
        }
    }

    @Test
    void aChangeOfParameterSetsStartsANewSegment() throws Exception {
        try (BusStream stream = BusStream.create("rec-sps", 64)) {
            try (Recorder recorder = Recorder.open(store, POLICY, List.of(CameraChannel.h264(stream.camera)),
                    IngestOptions.DEFAULT)) {
                ChannelRecorder camera = recorder.camera(stream.camera);
                stream.awaitReader();
                for (int i = 0; i < 100; i++) {
                    stream.publishPaced(i < 50 ? 0 : 1, camera); // frame 51 is a keyframe with another SPS
                }
                await(() -> camera.lastWrittenSequence() == 100, "frame 100 to be written", camera);
            }
            try (RecordingStore reopened = RecordingStore.open(store, POLICY)) {
                var segments = reopened.index().segments(stream.camera, Long.MIN_VALUE, Long.MAX_VALUE);
                assertEquals(2, segments.size(), "one segment per set of parameters: " + segments);
                for (int s = 0; s < 2; s++) {
                    try (SegmentReader reader = SegmentReader.open(store.resolve(segments.get(s).file()),
                            SegmentReader.Mode.RESYNC)) {
                        assertArrayEquals(BusStream.parameterSets(s), reader.header().stream().parameterSets(),
                                "segment " + s + " keeps the parameter sets of its frames");
                    }
                }
                List<StoredFrame> stored = BusStream.read(store, reopened.index(), stream.camera);
                assertEquals(100, stored.size());
                for (StoredFrame frame : stored) {
                    int variant = frame.sequence() <= 50 ? 0 : 1;
                    assertTrue(frame.matches(variant), "frame " + frame.sequence());
                    assertEquals(segments.get(variant).id(), frame.segmentId(), "frame " + frame.sequence());
                }
            }
        }
    }

    @Test
    void aSlowStoreMakesTheRecorderLagAndCountsWhatTheRingOverwrote() throws Exception {
        AtomicBoolean stalled = new AtomicBoolean(true);
        AppendObserver slowDisk = new AppendObserver() {
            @Override
            public void beforeAppend(long sequence) {
                if (stalled.get()) {
                    try {
                        Thread.sleep(15);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        try (BusStream stream = BusStream.create("rec-slow", 8)) {
            long last;
            try (Recorder recorder = Recorder.open(store, POLICY, List.of(CameraChannel.h264(stream.camera)),
                    IngestOptions.DEFAULT.withObserver(slowDisk))) {
                ChannelRecorder camera = recorder.camera(stream.camera);
                stream.awaitReader();
                long maxLag = 0;
                for (int i = 0; i < 200; i++) {
                    stream.publish(0);
                    Thread.sleep(1);
                    maxLag = Math.max(maxLag, camera.lag());
                }
                stalled.set(false);
                // Publish on until the recorder has kept up for a whole GOP: on a loaded machine it may be
                // lapped again after the stall ends and then waits for a later keyframe, which only a writer
                // that goes on publishing brings.
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                int keptUp = 0;
                for (int i = 0; i < 3 * BusStream.GOP || keptUp < BusStream.GOP; i++) {
                    last = stream.publish(0);
                    Thread.sleep(2);
                    keptUp = camera.lastWrittenSequence() >= last - 1 ? keptUp + 1 : 0;
                    assertTrue(System.nanoTime() < giveUp, "the recorder kept up within 30 s after the stall: "
                            + camera.framesWritten() + " written, " + camera.framesLost() + " lost, "
                            + camera.framesSkipped() + " skipped");
                }
                last = stream.writer.sequence();
                long end = last;
                await(() -> camera.lastWrittenSequence() == end, "the recorder to catch up with frame " + end, camera);
                assertTrue(camera.framesLost() > 0, "the ring of 8 cells was lapped by a recorder 15 ms per frame");
                assertTrue(maxLag > 0, "the recorder lagged behind the bus");
                assertEquals(RecordingState.RECORDING, camera.state());
                assertEquals(end, camera.framesWritten() + camera.framesLost() + camera.framesSkipped(),
                        "every frame is written, lost or skipped until a keyframe: " + camera.framesWritten() + " "
                                + camera.framesLost() + " " + camera.framesSkipped());
                written = camera.framesWritten();
            }
            try (RecordingStore reopened = RecordingStore.open(store, POLICY)) {
                List<StoredFrame> stored = BusStream.read(store, reopened.index(), stream.camera);
                assertEquals(written, stored.size());
                for (StoredFrame frame : stored) {
                    assertTrue(frame.matches(0), "frame " + frame.sequence() + " was written while the ring moved on");
                }
            }
        }
    }

    private long written;

    @Test
    void aNewWriterOfTheChannelIsFollowedIntoANewSegment() throws Exception {
        int frames = 3 * BusStream.GOP;
        BusStream first = BusStream.create("rec-again", 64);
        String cameraName = first.camera;
        try (Recorder recorder = Recorder.open(store, POLICY, List.of(CameraChannel.h264(cameraName)),
                IngestOptions.DEFAULT)) {
            ChannelRecorder camera = recorder.camera(cameraName);
            first.awaitReader();
            for (int i = 0; i < frames; i++) {
                first.publishPaced(0, camera);
            }
            await(() -> camera.lastWrittenSequence() == frames, "the first writer's frames", camera);
            try (BusStream second = first.restart()) {
                second.awaitReader();
                for (int i = 0; i < frames; i++) {
                    second.publish(0);
                    Thread.sleep(2);
                }
                await(() -> camera.framesWritten() == 2L * frames, "the second writer's frames", camera);
                assertEquals(RecordingState.RECORDING, camera.state());
            }
        } finally {
            first.close();
        }
        try (RecordingStore reopened = RecordingStore.open(store, POLICY)) {
            List<StoredFrame> stored = BusStream.read(store, reopened.index(), cameraName);
            var bySegment = stored.stream().collect(java.util.stream.Collectors.groupingBy(StoredFrame::segmentId));
            assertEquals(2, bySegment.size(), "one segment per writer, so sequence numbers grow within each");
            for (List<StoredFrame> segment : bySegment.values()) {
                assertEquals(frames, segment.size());
                for (int i = 0; i < frames; i++) {
                    assertEquals(i + 1, segment.get(i).sequence());
                    assertTrue(segment.get(i).matches(0), "frame " + (i + 1));
                }
            }
        }
    }

    @Test
    void aStoreThatRefusesPausesTheCameraAndRecordingResumesByItself() throws Exception {
        AtomicBoolean refusing = new AtomicBoolean(false);
        AppendObserver fullDisk = new AppendObserver() {
            @Override
            public void beforeAppend(long sequence) throws IOException {
                if (refusing.get()) {
                    throw new IOException("No space left on device (a test's disk)");
                }
            }
        };
        IngestOptions options = IngestOptions.DEFAULT.withObserver(fullDisk).withRetryAfter(Duration.ofMillis(300));
        try (BusStream stream = BusStream.create("rec-full", 64)) {
            try (Recorder recorder = Recorder.open(store, POLICY, List.of(CameraChannel.h264(stream.camera)), options)) {
                ChannelRecorder camera = recorder.camera(stream.camera);
                stream.awaitReader();
                for (int i = 0; i < 2 * BusStream.GOP; i++) {
                    stream.publishPaced(0, camera);
                }
                await(() -> camera.lastWrittenSequence() == 2 * BusStream.GOP, "the first frames", camera);
                refusing.set(true);
                stream.publish(0);
                await(() -> camera.state() == RecordingState.PAUSED, "the camera to pause", camera);
                refusing.set(false);
                for (int i = 0; i < 3 * BusStream.GOP; i++) {
                    stream.publish(0);
                    Thread.sleep(20); // the ring of 64 holds more than the pause
                }
                long end = stream.writer.sequence();
                await(() -> camera.lastWrittenSequence() == end, "recording to resume up to frame " + end, camera);
                assertEquals(1, camera.pauses());
                assertEquals(RecordingState.RECORDING, camera.state());
            }
            try (RecordingStore reopened = RecordingStore.open(store, POLICY)) {
                List<StoredFrame> stored = BusStream.read(store, reopened.index(), stream.camera);
                for (StoredFrame frame : stored) {
                    assertTrue(frame.matches(0), "frame " + frame.sequence());
                }
                assertEquals(2 * BusStream.GOP, stored.stream().filter(f -> f.sequence() <= 2 * BusStream.GOP).count(),
                        "what was written before the pause stays");
                assertEquals(stream.writer.sequence(), stored.getLast().sequence());
            }
        }
    }

    static void await(BooleanSupplier condition, String what, ChannelRecorder camera) throws InterruptedException {
        long giveUp = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - giveUp > 0) {
                throw new AssertionError("waited 30 s for " + what + "; the recorder is " + camera.state() + ", wrote "
                        + camera.framesWritten() + " frames up to " + camera.lastWrittenSequence() + ", lost "
                        + camera.framesLost() + ", skipped " + camera.framesSkipped());
            }
            Thread.sleep(5);
        }
    }
}
