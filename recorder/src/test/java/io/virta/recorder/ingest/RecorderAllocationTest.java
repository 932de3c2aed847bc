package io.virta.recorder.ingest;

import io.virta.recorder.Recorder;
import io.virta.recorder.store.SegmentPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recorder's thread allocates nothing per frame of its own (issue 15): pull, append, intact check
 * and the counters. Keyframes are left out of the measured stretch, since each costs an index insert
 * (JDBC allocates), and so are syncs (one index update each), by a sync interval longer than the test.
 *
 * <p>The segment writer writes header, payload and padding with three single-buffer writes: a
 * gathering {@code FileChannel.write(ByteBuffer[])} would allocate a releaser per buffer over a bus
 * cell's memory segment (about 40 bytes each, JDK 25). The bound, 2 bytes per frame, leaves room for
 * the rare allocation of the JDK's own (a thread-local buffer grown once) and nothing else.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RecorderAllocationTest {
    private static final int FRAMES = 2_000;
    /** Allocation tolerated per frame, on average: none of the recorder's own. */
    private static final int BYTES_PER_FRAME = 2;

    @TempDir
    Path store;

    @Test
    void recordingAFrameAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SegmentPolicy policy = SegmentPolicy.DEFAULT.withSegmentBytes(256L << 20).withSync(Duration.ofHours(1));
        byte[] delta = BusStream.accessUnit(2, 0);
        try (BusStream stream = BusStream.create("rec-alloc", 64);
             Recorder recorder = Recorder.open(store, policy, List.of(CameraChannel.h264(stream.camera)),
                     IngestOptions.DEFAULT.withBatch(Duration.ofMillis(1)))) { // the batching path, at a test's pace
            ChannelRecorder camera = recorder.camera(stream.camera);
            stream.awaitReader();
            stream.publishPaced(0, camera); // the keyframe that opens the segment
            for (int i = 0; i < FRAMES; i++) { // warm up: let the JIT compile the path
                stream.publishPaced(0, camera);
                stream.publishDelta(delta);
            }
            ChannelRecorderTest.await(() -> camera.lastWrittenSequence() == stream.writer.sequence(), "the warm-up", camera);
            long thread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("recorder-" + stream.camera)).findFirst().orElseThrow().threadId();
            // Rounds of the same pattern: the first may still link or compile what the warm-up did not reach
            // (the wait after a sleep that found nothing); the fewest bytes of a round is the steady state.
            long fewest = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                long before = threads.getThreadAllocatedBytes(thread);
                for (int i = 0; i < FRAMES; i++) {
                    long sequence = stream.publishDelta(delta);
                    while (camera.lastWrittenSequence() < sequence) {
                        Thread.onSpinWait();
                    }
                }
                fewest = Math.min(fewest, threads.getThreadAllocatedBytes(thread) - before);
            }
            System.out.println(FRAMES + " frames recorded with " + fewest + " bytes allocated by the recorder's thread");
            assertTrue(fewest < BYTES_PER_FRAME * FRAMES, FRAMES + " frames recorded with " + fewest
                    + " bytes allocated by the recorder's thread: something on the path allocates per frame");
        }
    }
}
