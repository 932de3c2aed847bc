package io.virta.recorder.ingest;

import io.virta.recorder.Recorder;
import io.virta.recorder.ingest.BusStream.StoredFrame;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recorder that stops while its writer goes on, and starts again before the ring wraps, records what
 * was published meanwhile from the ring (docs/recording-format.md section 9, <i>Resuming</i>): every
 * frame, from the one after the last stored on, in a segment that continues the stored GOP without a
 * keyframe of its own (section 5.3); nothing is stored twice or lost.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RecorderResumeTest {
    private static final SegmentPolicy POLICY = SegmentPolicy.DEFAULT.withSegmentBytes(4 << 20)
            .withSync(Duration.ofMillis(100));
    private static final int CELLS = 64;

    @TempDir
    Path store;

    @Test
    void aRestartShorterThanTheRingRecordsWhatWasPublishedMeanwhile() throws Exception {
        long beforeStop = 9L * BusStream.GOP + 5;      // stops in the middle of a GOP
        long whileStopped = CELLS / 2;                  // less than the ring holds
        long afterRestart = 3L * BusStream.GOP;
        try (BusStream stream = BusStream.create("rec-resume", CELLS)) {
            recordWhilePublishing(stream, beforeStop, beforeStop, camera -> { });
            for (long i = 0; i < whileStopped; i++) {
                stream.publish(0);
            }
            long end = beforeStop + whileStopped + afterRestart;
            recordWhilePublishing(stream, afterRestart, end, camera -> {
                assertEquals(0, camera.framesLost(), "the ring held every frame the recorder missed");
                assertEquals(0, camera.framesSkipped(), "the frames after the last stored continue its GOP");
            });
            try (RecordingStore reopened = RecordingStore.open(store, POLICY)) {
                List<StoredFrame> stored = BusStream.read(store, reopened.index(), stream.camera);
                assertEquals(end, stored.size(), "no frame stored twice or lost");
                int at = 0;
                for (long sequence = 1; sequence <= end; sequence++) {
                    StoredFrame frame = stored.get(at++);
                    assertEquals(sequence, frame.sequence());
                    assertTrue(frame.matches(0), "frame " + sequence + " differs from what was published");
                }
            }
        }
    }

    /** Runs a recorder while {@code frames} more are published, until it wrote {@code last}; then checks it. */
    private void recordWhilePublishing(BusStream stream, long frames, long last, Consumer<ChannelRecorder> check)
            throws Exception {
        try (Recorder recorder = Recorder.open(store, POLICY, List.of(CameraChannel.h264(stream.camera)),
                IngestOptions.DEFAULT)) {
            ChannelRecorder camera = recorder.camera(stream.camera);
            stream.awaitReader();
            for (long i = 0; i < frames; i++) {
                stream.publishPaced(0, camera);
            }
            ChannelRecorderTest.await(() -> camera.lastWrittenSequence() == last, "the recorder to write frame " + last,
                    camera);
            check.accept(camera);
        }
    }
}
