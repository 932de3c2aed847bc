package io.virta.recorder.store;

import com.sun.management.ThreadMXBean;
import io.virta.recorder.format.SegmentHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static io.virta.recorder.store.SyntheticStream.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The append path allocates nothing per frame (issue 15: hot paths allocate nothing). */
class AppendAllocationTest {
    private static final int FRAMES = 5_000;

    @TempDir
    Path directory;

    @Test
    void appendingFromADirectBufferAllocatesNothingPerFrame() throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        ByteBuffer payload = direct(payload(3));
        long thread = Thread.currentThread().threadId();
        SegmentHeader header = new SegmentHeader("alloc", H264_720P, 1, captureMicros(1), 0, 256L << 20);
        try (SegmentWriter writer = SegmentWriter.create(directory.resolve("a.vseg"), header, Long.MAX_VALUE)) {
            for (int i = 1; i <= FRAMES; i++) {       // warm up: let the JIT compile the path
                writer.append(payload, captureMicros(i), i, flags(i));
            }
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = FRAMES + 1; i <= 2 * FRAMES; i++) {
                writer.append(payload, captureMicros(i), i, flags(i));
                writer.syncIfDue(0);
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            System.out.println(FRAMES + " appends allocated " + allocated + " bytes");
            assertTrue(allocated < FRAMES, FRAMES + " appends allocated " + allocated + " bytes");
        }
    }
}
