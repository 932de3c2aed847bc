package io.virta.bus;

import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static io.virta.bus.TestChannels.*;
import static org.junit.jupiter.api.Assertions.*;

class ChannelReaderWriterTest extends ChannelTestBase {
    private static final long SECOND = 1_000_000_000L;
    @Test
    void framesArriveInOrderWithTheirMetadata() {
        String name = name("order");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 64, 48).cells(4));
             ChannelReader reader = ChannelReader.builder(name).expect(ChannelType.RGB24).expectSize(64, 48)
                     .start(ChannelReader.Start.NEXT).open()) {
            for (int i = 1; i <= 10; i++) {
                WritableFrame f = writer.claim();
                f.payload().asSlice(0, 64 * 48 * 3).fill(patternByte(f.sequence()));
                f.captureTimeMicros(1_000_000L * i).streamId(7).keyframe(i % 5 == 1);
                assertEquals(i, writer.commit());
                assertEquals(PullStatus.FRAME, reader.pull(SECOND));
                Frame frame = reader.frame();
                assertEquals(i, frame.sequence());
                assertEquals(0, frame.lost());
                assertEquals(64 * 48 * 3, frame.payloadSize());
                assertEquals(64, frame.width());
                assertEquals(48, frame.height());
                assertEquals(64 * 3, frame.stride(0));
                assertEquals(PixelFormat.RGB24, frame.format());
                assertEquals(7, frame.streamId());
                assertEquals(1_000_000L * i, frame.captureTimeMicros());
                assertEquals(i % 5 == 1, frame.isKeyframe());
                assertTrue(frame.arrivalTimeMicros() > 0);
                assertTrue(hasPattern(frame));
                assertTrue(frame.isIntact());
                assertEquals(64 * 48 * 3, frame.payloadBuffer().remaining());
                assertTrue(frame.payloadBuffer().isReadOnly());
            }
            assertEquals(10, reader.frames());
            assertEquals(0, reader.lost());
        }
    }

    @Test
    void aNewReaderStartsAtTheNewestFrameByDefault() {
        String name = name("newest");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(100))) {
            for (int i = 0; i < 5; i++) {
                writePattern(writer, 100);
            }
            try (ChannelReader reader = ChannelReader.open(name)) {
                assertEquals(PullStatus.FRAME, reader.poll());
                assertEquals(5, reader.frame().sequence());
                assertEquals(PullStatus.TIMEOUT, reader.poll());
            }
        }
    }

    @Test
    void aReaderMoreThanARingBehindGetsAnOverrunAndResumesAtTheNewest() {
        String name = name("lapped");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64).cells(8));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            for (int i = 0; i < 20; i++) {
                writePattern(writer, 64);
            }
            assertEquals(PullStatus.OVERRUN, reader.poll());
            assertEquals(20, reader.frame().sequence());
            assertEquals(19, reader.frame().lost());
            assertTrue(hasPattern(reader.frame()));
            assertEquals(PullStatus.TIMEOUT, reader.poll());
            assertEquals(1, reader.overruns());
            assertEquals(19, reader.lost());
        }
    }

    @Test
    void aFrameOverwrittenWhileHeldCountsAsLost() {
        String name = name("held");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64).cells(8));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            writePattern(writer, 64);
            assertEquals(PullStatus.FRAME, reader.poll());
            Frame held = reader.frame();
            for (int i = 0; i < 7; i++) {
                writePattern(writer, 64);
            }
            assertTrue(held.isIntact(), "seven commits later, a ring of eight still holds frame 1");
            writePattern(writer, 64);
            assertFalse(held.isIntact(), "the ninth commit reused frame 1's cell");
            assertEquals(PullStatus.OVERRUN, reader.poll());
            assertEquals(9, reader.frame().sequence(), "resumes at the newest frame");
            assertEquals(8, reader.frame().lost(), "frame 1 (torn) and frames 2..8 (skipped)");
        }
    }

    @Test
    void aCopyFailsWhenTheCellWasReused() {
        String name = name("copy");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64).cells(2));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            writePattern(writer, 64);
            assertEquals(PullStatus.FRAME, reader.poll());
            var copy = java.lang.foreign.Arena.ofAuto().allocate(64);
            assertTrue(reader.frame().copyTo(copy));
            assertEquals(patternByte(1), copy.get(ValueLayout.JAVA_BYTE, 63));
            writePattern(writer, 64);
            writePattern(writer, 64);
            assertFalse(reader.frame().copyTo(copy));
        }
    }

    @Test
    void pullTimesOut() {
        String name = name("timeout");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8));
             ChannelReader reader = ChannelReader.open(name)) {
            long start = System.nanoTime();
            assertEquals(PullStatus.TIMEOUT, reader.pull(Duration.ofMillis(50)));
            assertTrue(System.nanoTime() - start >= 50_000_000L);
            assertEquals(1, reader.timeouts());
            assertEquals(0, writer.sequence());
        }
    }

    @Test
    void aBlockedReaderWakesOnCommit() throws Exception {
        String name = name("wake");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            Thread t = Thread.ofPlatform().start(() -> {
                sleep(100);
                writePattern(writer, 8);
            });
            assertEquals(PullStatus.FRAME, reader.pull(10 * SECOND));
            assertEquals(1, reader.frame().sequence());
            t.join();
        }
    }

    @Test
    void closingTheWriterEndsTheStream() {
        String name = name("end");
        ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8));
        try (ChannelReader reader = ChannelReader.open(name)) {
            writer.close();
            assertEquals(PullStatus.END_OF_STREAM, reader.pull(SECOND));
            assertFalse(java.nio.file.Files.exists(shm(name)));
            assertEquals(PullStatus.END_OF_STREAM, reader.pull(Duration.ofMillis(150)));
            try (ChannelWriter again = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8))) {
                assertEquals(PullStatus.WRITER_RESTARTED, reader.pull(SECOND));
                writePattern(again, 8);
                assertEquals(PullStatus.FRAME, reader.pull(SECOND));
                assertEquals(1, reader.frame().sequence());
            }
        }
    }

    @Test
    void slowReaderDoesNotDisturbAFastOne() throws Exception {
        String name = name("slow");
        int frames = 300;
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(4096).cells(64))) {
            CountDownLatch attached = new CountDownLatch(2);
            AtomicLong fastLost = new AtomicLong(-1);
            AtomicLong fastFrames = new AtomicLong();
            AtomicLong slowLost = new AtomicLong();
            AtomicLong slowBad = new AtomicLong();
            Thread fast = Thread.ofPlatform().start(() -> {
                try (ChannelReader r = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
                    attached.countDown();
                    while (r.pull(5 * SECOND).hasFrame()) {
                        fastFrames.incrementAndGet();
                        if (r.frame().sequence() >= frames) {
                            break;
                        }
                    }
                    fastLost.set(r.lost());
                }
            });
            Thread slow = Thread.ofPlatform().start(() -> {
                try (ChannelReader r = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
                    attached.countDown();
                    while (r.pull(SECOND).hasFrame()) {
                        if (!hasPattern(r.frame()) && r.frame().isIntact()) {
                            slowBad.incrementAndGet();
                        }
                        sleep(20);
                        if (r.frame().sequence() >= frames) {
                            break;
                        }
                    }
                    slowLost.set(r.lost());
                }
            });
            attached.await();
            for (int i = 0; i < frames; i++) {
                writePattern(writer, 4096);
                if (i % 2 == 0) {
                    sleep(1);
                }
            }
            fast.join();
            slow.join();
            assertEquals(frames, fastFrames.get());
            assertEquals(0, fastLost.get(), "the fast reader lost nothing");
            assertTrue(slowLost.get() > 0, "the slow reader overran");
            assertEquals(0, slowBad.get(), "no intact frame had a wrong payload");
        }
    }

    @Test
    void writerClaimsInPlaceWithPlanes() {
        String name = name("yuv");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.yuv420p(name, 32, 16));
             ChannelReader reader = ChannelReader.builder(name).expect(ChannelType.YUV420P).open()) {
            WritableFrame f = writer.claim();
            f.payload().asSlice(0, 32 * 16).fill((byte) 16);
            f.payload().asSlice(32 * 16, 16 * 8).fill((byte) 128);
            f.payload().asSlice(32 * 16 + 16 * 8, 16 * 8).fill((byte) 240);
            writer.commit();
            assertEquals(PullStatus.FRAME, reader.poll());
            Frame frame = reader.frame();
            assertEquals(32 * 16 * 3 / 2, frame.payloadSize());
            assertEquals(PixelFormat.I420, frame.format());
            assertEquals(32, frame.stride(0));
            assertEquals(16, frame.stride(1));
            assertEquals(16, frame.stride(2));
            assertEquals(16, frame.plane(0).get(ValueLayout.JAVA_BYTE, 0));
            assertEquals((byte) 128, frame.plane(1).get(ValueLayout.JAVA_BYTE, 0));
            assertEquals((byte) 240, frame.plane(2).get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void fmp4MetadataRoundTrips() {
        String name = name("fmp4");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.FMP4).capacity(1024));
             ChannelReader reader = ChannelReader.open(name)) {
            WritableFrame f = writer.claim();
            f.payloadSize(100).boxType("ftyp").first(true);
            writer.commit();
            assertEquals(PullStatus.FRAME, reader.poll());
            assertEquals("ftyp", reader.frame().boxType());
            assertTrue(reader.frame().isFirst());
            assertEquals(PixelFormat.FMP4, reader.frame().format());
        }
    }

    @Test
    void aWaitSetWakesForAnyOfItsChannels() {
        String a = name("wsa");
        String b = name("wsb");
        try (ChannelWriter wa = ChannelWriter.create(ChannelSpec.of(a, ChannelType.RAW).capacity(8));
             ChannelWriter wb = ChannelWriter.create(ChannelSpec.of(b, ChannelType.RAW).capacity(8));
             WaitSet set = new WaitSet()) {
            ChannelReader ra = ChannelReader.builder(a).waitSet(set).start(ChannelReader.Start.NEXT).open();
            ChannelReader rb = ChannelReader.builder(b).waitSet(set).start(ChannelReader.Start.NEXT).open();
            assertNull(set.await(50_000_000L));
            Thread t = Thread.ofPlatform().start(() -> {
                sleep(50);
                writePattern(wb, 8);
            });
            assertSame(rb, set.await(5 * SECOND));
            assertEquals(PullStatus.FRAME, rb.poll());
            writePattern(wa, 8);
            assertSame(ra, set.await(5 * SECOND));
            assertEquals(PullStatus.FRAME, ra.poll());
            assertNull(set.await(0));
            assertEquals(2, set.size());
            t.interrupt();
        }
    }

    @Test
    void readersFreeTheirSlotsAndDoorbells() throws Exception {
        String name = name("slots");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8).readerSlots(2))) {
            ChannelReader r1 = ChannelReader.open(name);
            ChannelReader r2 = ChannelReader.open(name);
            assertEquals(2, writer.readerCount());
            NoFreeReaderSlotException full = assertThrows(NoFreeReaderSlotException.class, () -> ChannelReader.open(name));
            assertTrue(full.getMessage().contains(name) && full.getMessage().contains("2 reader slots"), full.getMessage());
            r1.close();
            assertEquals(1, writer.readerCount());
            ChannelReader r3 = ChannelReader.open(name);
            r2.close();
            r3.close();
            assertEquals(0, writer.readerCount());
        }
        try (var doorbells = java.nio.file.Files.list(ChannelName.SHM_DIR)) {
            String mine = "sem.virta.r." + ProcessHandle.current().pid() + ".";
            assertEquals(0, doorbells.filter(p -> p.getFileName().toString().startsWith(mine)).count(),
                    "closed readers leave no doorbell behind");
        }
    }

    /** Ground rule: the hot path allocates nothing per frame once the JIT has compiled it. */
    @Test
    void commitAndPullAllocateNothingInSteadyState() {
        String name = name("alloc");
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64).cells(8));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            double fewest = Double.MAX_VALUE;
            for (int round = 0; round < 6; round++) {
                long before = threads.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 100_000; i++) {
                    writer.claim().payloadSize(64).keyframe(true);
                    writer.commit();
                    assertEquals(PullStatus.FRAME, reader.poll());
                    reader.frame().payloadBuffer();
                }
                fewest = Math.min(fewest, (threads.getThreadAllocatedBytes(thread) - before) / 100_000.0);
            }
            assertTrue(fewest < 1, "bytes allocated per frame once compiled: " + fewest);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
