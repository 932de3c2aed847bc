package io.virta.worker.opencv;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelWriter;
import io.virta.worker.FrameSource;
import io.virta.worker.FrameStream;
import io.virta.worker.TestChannels;
import io.virta.worker.WorkerFrame;
import io.virta.worker.attach.StandInProducerControl;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import static io.virta.worker.opencv.FrameMats.mat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mats over a frame stream's shared memory, on real bus channels: zero copy, one header per cell, fresh
 * headers after a writer restart or a camera's new channel, nothing allocated per frame. (Moved here from
 * the SDK's FrameStreamTest and ProducerChannelsTest when OpenCV left the SDK.)
 */
@Timeout(60)
class FrameMatsTest extends TestChannels {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void theMatShowsTheWritersBytesWithoutACopy() {
        String name = channelName("mat");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 64, 48).cells(4));
             FrameStream stream = FrameSource.channel(name).open()) {
            writeGradient(writer, 64, 48);
            WorkerFrame frame = stream.next(WAIT);
            assertNotNull(frame);
            Mat mat = mat(frame);
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
                mat(frame);
            }
            assertEquals(5, frame.sequence());
            assertSame(mat, mat(frame), "one Mat header per cell, reused");
            assertEquals(5, pixel(mat, 10, 10, 2), "the reused header sees the new frame's bytes");
        }
    }

    @Test
    void aNewWriterIsFollowedAndItsFramesHaveFreshMats() {
        String name = channelName("restart");
        ChannelWriter first = ChannelWriter.create(ChannelSpec.rgb24(name, 32, 8).cells(3));
        try (FrameStream stream = FrameSource.channel(name).open()) {
            writeGradient(first, 32, 8);
            assertNotNull(mat(stream.next(WAIT)));
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
                Mat mat = mat(frame);
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
                    checksum += mat(frame).cols() + frame.payloadBuffer().get(0) + frame.captureTimeMicros();
                }
                fewest = Math.min(fewest, (threads.getCurrentThreadAllocatedBytes() - before) / 50_000.0);
            }
            assertTrue(fewest < 1, "bytes allocated per frame once compiled: " + fewest);
            assertTrue(checksum != 0);
        }
    }

    @Test
    void attachesToTheCamerasChannelOnTheBus() throws Exception {
        String prefix = channelName("cam");
        try (StandInProducerControl control = new StandInProducerControl();
             ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(prefix + ".rgb", 32, 16))) {
            control.addCamera("door", prefix, 32, 16);
            try (FrameStream stream = FrameSource.camera("door").control(control.target()).open()) {
                assertEquals(prefix + ".rgb", stream.channel());
                assertEquals("door", stream.camera());
                writeGradient(writer, 32, 16);
                WorkerFrame frame = stream.next(Duration.ofSeconds(5));
                assertNotNull(frame);
                assertEquals(32, mat(frame).cols());
            }
        } finally {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("/dev/shm/virta." + prefix + ".rgb"));
        }
    }

    @Test
    void whenTheCamerasChannelComesBackUnderAnotherNameTheStreamFollows() throws Exception {
        String first = channelName("old");
        String second = channelName("new");
        try (StandInProducerControl control = new StandInProducerControl()) {
            control.addCamera("door", first, 16, 16);
            ChannelWriter old = ChannelWriter.create(ChannelSpec.rgb24(first + ".rgb", 16, 16));
            try (FrameStream stream = FrameSource.camera("door").control(control.target())
                    .reresolveAfter(Duration.ofMillis(200)).open()) {
                writeGradient(old, 16, 16);
                assertNotNull(stream.next(Duration.ofSeconds(5)));
                old.close();
                control.addCamera("door", second, 16, 16);
                try (ChannelWriter replacement = ChannelWriter.create(ChannelSpec.rgb24(second + ".rgb", 16, 16))) {
                    WorkerFrame frame = null;
                    long giveUp = System.nanoTime() + 10_000_000_000L;
                    while (frame == null && System.nanoTime() < giveUp) {
                        writeGradient(replacement, 16, 16);
                        frame = stream.next(Duration.ofMillis(100));
                    }
                    assertNotNull(frame, "frames of the camera's new channel");
                    assertEquals(second + ".rgb", stream.channel());
                    assertEquals(1, stream.reattaches());
                    assertEquals(16, mat(frame).cols());
                }
            } finally {
                old.close();
                java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("/dev/shm/virta." + first + ".rgb"));
                java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("/dev/shm/virta." + second + ".rgb"));
            }
        }
    }

    /** Channel {@code c} of pixel (x, y), read through the Mat's own data pointer and step. */
    private static int pixel(Mat mat, int y, int x, int c) {
        long offset = y * mat.step() + (long) x * mat.channels() + c;
        return mat.data().capacity(offset + 1).asByteBuffer().get((int) offset) & 0xff;
    }
}
