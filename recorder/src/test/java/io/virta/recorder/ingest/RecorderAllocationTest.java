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
 * <p>One allocation per frame remains, and it is the JDK's: {@code FileChannel.write(ByteBuffer[])}
 * links a releaser ({@code sun.nio.ch.IOUtil.LinkedRunnable}) for every buffer backed by a memory
 * segment with a closeable scope, which a bus cell's buffer is, about 80 bytes per frame (JFR, JDK 25).
 * The bound below lets that through and catches anything of the recorder's own (a boxed value, a
 * lambda, a string per frame all cost more).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RecorderAllocationTest {
    private static final int FRAMES = 3_000;
    /** Bytes per frame that FileChannel's gathering write allocates for a buffer over shared memory. */
    private static final int JDK_WRITE_RELEASERS = 128;

    @TempDir
    Path store;

    @Test
    void recordingAFrameAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SegmentPolicy policy = SegmentPolicy.DEFAULT.withSegmentBytes(256L << 20).withSync(Duration.ofHours(1));
        byte[] delta = BusStream.accessUnit(2, 0);
        try (BusStream stream = BusStream.create("rec-alloc", 64);
             Recorder recorder = Recorder.open(store, policy, List.of(CameraChannel.h264(stream.camera)),
                     IngestOptions.DEFAULT)) {
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
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < FRAMES; i++) {
                long sequence = stream.publishDelta(delta);
                while (camera.lastWrittenSequence() < sequence) {
                    Thread.onSpinWait();
                }
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            System.out.println(FRAMES + " frames recorded with " + allocated + " bytes allocated by the recorder's thread");
            assertTrue(allocated < JDK_WRITE_RELEASERS * FRAMES, FRAMES + " frames recorded with " + allocated
                    + " bytes allocated: more than the JDK's releaser per gathering write");
        }
    }
}
