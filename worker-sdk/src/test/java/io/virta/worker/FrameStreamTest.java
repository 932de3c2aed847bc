package io.virta.worker;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.worker.attach.AttachException;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop API on real bus channels: zero-copy Mats, overruns, the rate limit, writer restarts. */
@Timeout(60)
class FrameStreamTest extends TestChannels {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void theMatShowsTheWritersBytesWithoutACopy() {
        String name = channelName("mat");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 64, 48).cells(4));
             FrameStream stream = FrameSource.channel(name).open()) {
            writeGradient(writer, 64, 48);
            WorkerFrame frame = stream.next(WAIT);
            assertNotNull(frame);
            Mat mat = frame.mat();
            assertEquals(48, mat.rows());
            assertEquals(64, mat.cols());
            assertEquals(CV_8UC3, mat.type());
            assertEquals(frame.payload().address(), mat.data().address(), "the Mat points at the shared memory");
            for (int y = 0; y < 48; y += 7) {
                for (int x = 0; x < 64; x += 5) {
                    assertEquals(x, pixel(mat, y, x, 0));
                    assertEquals(y, pixel(mat, y, x, 1));
                    assertEquals((int) frame.sequence() & 0xff, pixel(mat, y, x, 2));
                }
            }
            assertTrue(frame.isIntact());
            // Four cells: the fifth frame lands in the first frame's cell, and gets that cell's Mat header back.
            for (int i = 0; i < 4; i++) {
                writeGradient(writer, 64, 48);
                assertNotNull(stream.next(WAIT));
                frame.mat();
            }
            assertEquals(5, frame.sequence());
            assertSame(mat, frame.mat(), "one Mat header per cell, reused");
            assertEquals(5, pixel(mat, 10, 10, 2), "the reused header sees the new frame's bytes");
        }
    }

    @Test
    void aFrameOverwrittenWhileHeldIsDetectedAndCountsAsLost() {
        String name = channelName("held");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16).cells(2));
             FrameStream stream = FrameSource.channel(name).open()) {
            writeGradient(writer, 16, 16);
            WorkerFrame frame = stream.next(WAIT);
            assertTrue(frame.isIntact());
            writeGradient(writer, 16, 16);
            writeGradient(writer, 16, 16);   // reuses the held frame's cell
            assertFalse(frame.isIntact(), "the writer reused the cell: the view is no longer the frame");
            assertNotNull(stream.next(WAIT));
            assertEquals(3, frame.sequence(), "resumes at the newest frame");
            assertTrue(stream.lost() >= 1, "the overwritten frame counts as lost: " + stream.counters());
            assertEquals(1, stream.overruns());
        }
    }

    @Test
    void theRateLimitTakesTheNewestFrameAndSkipsTheRestUnread() {
        String name = channelName("rate");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16).cells(4));
             FrameStream stream = FrameSource.channel(name).fps(5).open()) {
            writeGradient(writer, 16, 16);
            assertEquals(1, stream.next(WAIT).sequence());
            for (int i = 0; i < 10; i++) {
                writeGradient(writer, 16, 16);   // more than a ring: a reader taking every frame would overrun
            }
            WorkerFrame frame = stream.next(WAIT);
            assertEquals(11, frame.sequence(), "the newest frame");
            assertEquals(9, stream.skipped());
            assertEquals(0, stream.lost(), "skipped on purpose, not lost");
            assertEquals(0, stream.overruns());
            // Nothing new: the next one is the writer's next frame, not before 1/5 s after the last.
            long before = System.nanoTime();
            Thread.ofPlatform().start(() -> {
                sleep(50);
                writeGradient(writer, 16, 16);
            });
            assertEquals(12, stream.next(WAIT).sequence());
            assertTrue(System.nanoTime() - before >= 150_000_000L, "paced at 5 frames/s");
        }
    }

    @Test
    void countersTellTimeouts() {
        String name = channelName("quiet");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16));
             FrameStream stream = FrameSource.channel(name).open()) {
            assertNull(stream.next(Duration.ofMillis(30)));
            assertEquals(new StreamCounters(0, 0, 0, 0, 1, 0), stream.counters());
            assertEquals(0, writer.sequence());
        }
    }

    @Test
    void aNewWriterIsFollowedAndItsFramesHaveFreshMats() {
        String name = channelName("restart");
        ChannelWriter first = ChannelWriter.create(ChannelSpec.rgb24(name, 32, 8).cells(3));
        try (FrameStream stream = FrameSource.channel(name).open()) {
            writeGradient(first, 32, 8);
            assertNotNull(stream.next(WAIT).mat());
            first.close();
            assertNull(stream.next(Duration.ofMillis(200)), "writer gone: nothing to analyze");
            assertTrue(stream.isDetached());
            try (ChannelWriter second = ChannelWriter.create(ChannelSpec.rgb24(name, 40, 10).cells(3))) {
                writeGradient(second, 40, 10);
                WorkerFrame frame = stream.next(WAIT);
                assertNotNull(frame);
                assertEquals(1, frame.sequence(), "the new writer's first frame");
                assertEquals(1, stream.reattaches());
                assertFalse(stream.isDetached());
                Mat mat = frame.mat();
                assertEquals(40, mat.cols(), "a header for the new mapping and size");
                assertEquals(frame.payload().address(), mat.data().address());
                assertEquals(39, pixel(mat, 9, 39, 0));
            }
        } finally {
            first.close();
        }
    }

    /** Ground rule: next() and mat() allocate nothing per frame once the JIT has compiled them. */
    @Test
    void steadyStateAllocatesNothingPerFrame() {
        String name = channelName("alloc");
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16).cells(4));
             FrameStream stream = FrameSource.channel(name).open()) {
            long checksum = 0;
            double fewest = Double.MAX_VALUE;
            for (int round = 0; round < 6; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 50_000; i++) {
                    writer.claim();
                    writer.commit();
                    WorkerFrame frame = stream.next(0);
                    checksum += frame.mat().cols() + frame.payloadBuffer().get(0) + frame.captureTimeMicros();
                }
                fewest = Math.min(fewest, (threads.getCurrentThreadAllocatedBytes() - before) / 50_000.0);
            }
            assertTrue(fewest < 1, "bytes allocated per frame once compiled: " + fewest);
            assertTrue(checksum != 0);
        }
    }

    @Test
    void aMissingChannelOrAWrongTypeSaysWhatToDo() {
        String name = channelName("missing");
        AttachException missing = assertThrows(AttachException.class,
                () -> FrameSource.channel(name).attachTimeout(Duration.ofMillis(100)).open());
        assertTrue(missing.getMessage().contains("'" + name + "' does not exist"), missing.getMessage());
        String yuv = channelName("yuv");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.yuv420p(yuv, 16, 16))) {
            AttachException wrong = assertThrows(AttachException.class, () -> FrameSource.channel(yuv).open());
            assertTrue(wrong.getMessage().contains("YUV420P"), wrong.getMessage());
            try (FrameStream stream = FrameSource.channel(yuv).type(ChannelType.YUV420P).open()) {
                assertEquals(ChannelType.YUV420P, stream.channelType());
                assertEquals(0, writer.sequence());
            }
        }
    }

    /** Channel {@code c} of pixel (x, y), read through the Mat's own data pointer and step. */
    private static int pixel(Mat mat, int y, int x, int c) {
        long offset = y * mat.step() + (long) x * mat.channels() + c;
        return mat.data().capacity(offset + 1).asByteBuffer().get((int) offset) & 0xff;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
