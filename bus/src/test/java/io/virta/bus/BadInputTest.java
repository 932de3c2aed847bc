package io.virta.bus;

import io.virta.bus.layout.ChannelHeaderDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Random;

import static io.virta.bus.TestChannels.*;
import static org.junit.jupiter.api.Assertions.*;

/** Every bad input gets an exception that names the channel and the fix, and leaves the channel intact. */
class BadInputTest extends ChannelTestBase {
    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", ".hidden", "-dash", "space name", "ü", "../escape",
            "x12345678901234567890123456789012345678901234567890123456789012345"})
    void invalidNamesAreRefusedByWritersAndReaders(String bad) {
        InvalidChannelNameException w = assertThrows(InvalidChannelNameException.class,
                () -> ChannelSpec.of(bad, ChannelType.RAW));
        assertTrue(w.getMessage().contains("'" + bad + "'") && w.getMessage().contains("A-Z a-z 0-9"), w.getMessage());
        assertThrows(InvalidChannelNameException.class, () -> ChannelReader.open(bad));
    }

    @Test
    void aMissingChannelSaysSoAndHowToWait() {
        String name = name("missing");
        ChannelNotFoundException e = assertThrows(ChannelNotFoundException.class, () -> ChannelReader.open(name));
        assertTrue(e.getMessage().contains(name) && e.getMessage().contains("start its writer"), e.getMessage());
    }

    @Test
    void aReaderStartedBeforeItsWriterCanWaitForIt() throws Exception {
        String name = name("early");
        Thread late = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8));
            writePattern(writer, 8);
            try {
                Thread.sleep(500);
            } catch (InterruptedException ignored) {
                // closing below either way
            }
            writer.close();
        });
        try (ChannelReader reader = ChannelReader.builder(name).awaitWriter(Duration.ofSeconds(10)).open()) {
            assertTrue(reader.pull(Duration.ofSeconds(5)).hasFrame());
        }
        late.join();
    }

    @Test
    void mismatchedTypeSizeAndFormatAreRefused() {
        String name = name("mismatch");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 64, 48))) {
            ChannelMismatchException type = assertThrows(ChannelMismatchException.class,
                    () -> ChannelReader.builder(name).expect(ChannelType.YUV420P).open());
            assertTrue(type.getMessage().contains(name) && type.getMessage().contains("RGB24")
                    && type.getMessage().contains("YUV420P"), type.getMessage());
            ChannelMismatchException size = assertThrows(ChannelMismatchException.class,
                    () -> ChannelReader.builder(name).expectSize(1920, 1080).open());
            assertTrue(size.getMessage().contains("64x48") && size.getMessage().contains("1920x1080"), size.getMessage());
            assertThrows(ChannelMismatchException.class,
                    () -> ChannelReader.builder(name).expectFormat(PixelFormat.BGR24).open());
            assertEquals(0, writer.readerCount(), "refused readers leave no slot taken");
        }
    }

    @Test
    void aPayloadLargerThanTheCellIsRefusedAndTheChannelStaysUsable() {
        String name = name("large");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(100));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            PayloadTooLargeException e = assertThrows(PayloadTooLargeException.class, () -> writer.write(new byte[101]));
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains("101") && e.getMessage().contains("100"),
                    e.getMessage());
            assertThrows(PayloadTooLargeException.class, () -> writer.claim().payloadSize(1000));
            writer.claim().payloadSize(100);
            writer.commit();
            assertEquals(PullStatus.FRAME, reader.poll());
            assertEquals(1, reader.frame().sequence());
            assertEquals(100, reader.frame().payloadSize());
        }
    }

    @Test
    void badSpecsNameTheFieldAndTheRange() {
        String name = name("spec");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChannelSpec.rgb24(name, 0, 10))
                .getMessage().contains("0x10"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChannelSpec.of(name, ChannelType.RAW).cells(1))
                .getMessage().contains("cells"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChannelSpec.yuv420p(name, 33, 10))
                .getMessage().contains("even"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChannelSpec.of(name, ChannelType.RAW).capacity())
                .getMessage().contains("capacity"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ChannelSpec.of(name, ChannelType.RAW).readerSlots(5000)).getMessage().contains("reader slots"));
    }

    @Test
    void aSecondLiveWriterIsRefused() {
        String name = name("busy");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8))) {
            ChannelBusyException e = assertThrows(ChannelBusyException.class,
                    () -> ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8)));
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains("pid " + ProcessHandle.current().pid()),
                    e.getMessage());
            writePattern(writer, 8);
        }
    }

    @Test
    void garbageUnderAChannelNameIsReportedToReadersAndReplacedByAWriter() throws IOException {
        String name = name("garbage");
        Files.write(shm(name), new byte[8192]);
        ChannelCorruptException e = assertThrows(ChannelCorruptException.class, () -> ChannelReader.open(name));
        assertTrue(e.getMessage().contains("not a Virta channel") && e.getMessage().contains(name), e.getMessage());
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8));
             ChannelReader reader = ChannelReader.open(name)) {
            writePattern(writer, 8);
            assertTrue(reader.poll().hasFrame());
        }
    }

    @Test
    void anotherFormatVersionIsRefusedByReadersAndWriters() throws IOException {
        String name = name("version");
        ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8));
        byte[] bytes = Files.readAllBytes(shm(name));
        writer.close();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(ChannelHeaderDescriptor.FORMAT_VERSION_OFFSET, 2);
        Files.write(shm(name), bytes);
        ChannelMismatchException e = assertThrows(ChannelMismatchException.class, () -> ChannelReader.open(name));
        assertTrue(e.getMessage().contains("version 2") && e.getMessage().contains(name), e.getMessage());
        BusException w = assertThrows(BusException.class,
                () -> ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8)));
        assertTrue(w.getMessage().contains("format version"), w.getMessage());
    }

    @Test
    void anObjectLeftByACrashedWriterIsReplacedWithTheNextGeneration() throws IOException {
        String name = name("stale");
        ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8));
        writePattern(writer, 8);
        byte[] bytes = Files.readAllBytes(shm(name));
        writer.close();
        // What a SIGKILLed writer leaves: a LIVE header whose pid is gone and whose heartbeat stopped.
        ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(ChannelHeaderDescriptor.WRITER_PID_OFFSET, Integer.MAX_VALUE - 7);
        header.putInt(ChannelHeaderDescriptor.STATE_OFFSET, ChannelHeaderDescriptor.STATE_LIVE);
        Files.write(shm(name), bytes);
        try (ChannelReader stale = ChannelReader.open(name)) {
            assertEquals(PullStatus.FRAME, stale.poll(), "what the dead writer committed is still readable");
            assertEquals(PullStatus.WRITER_DIED, stale.pull(Duration.ofMillis(300)));
            try (ChannelWriter next = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(8))) {
                assertEquals(2, next.generation());
                assertEquals(PullStatus.WRITER_RESTARTED, stale.pull(Duration.ofSeconds(2)));
                writePattern(next, 8);
                assertEquals(PullStatus.FRAME, stale.pull(Duration.ofSeconds(2)));
            }
        }
        assertTrue(Channels.list().stream().noneMatch(c -> c.name().equals(name)));
    }

    /** Random damage to a valid header: attaching either works or fails with a BusException, never worse. */
    @Test
    void fuzzedHeadersNeverFailWithAnythingButABusError() throws IOException {
        String name = name("fuzz");
        ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16).cells(4));
        writePattern(writer, 16 * 16 * 3);
        byte[] valid = Files.readAllBytes(shm(name));
        writer.close();
        Random random = new Random(42);
        int attached = 0;
        for (int round = 0; round < 400; round++) {
            byte[] bytes = valid.clone();
            int flips = 1 + random.nextInt(8);
            for (int i = 0; i < flips; i++) {
                int offset = random.nextInt(round % 2 == 0 ? 128 : 400);
                bytes[offset] = (byte) random.nextInt(256);
            }
            if (round % 50 == 0) {
                bytes = java.util.Arrays.copyOf(bytes, random.nextInt(valid.length));
            }
            Files.write(shm(name), bytes);
            try (ChannelReader reader = ChannelReader.open(name)) {
                attached++;
                reader.poll();
            } catch (BusException expected) {
                assertNotNull(expected.getMessage());
            }
        }
        assertTrue(attached > 0, "some damage (to reserved or unchecked fields) is harmless");
    }

    /** docs/bus-format.md 5.2 step 4: a cell that disagrees with writeSequence is damage, not a lap to retry for ever. */
    @Test
    void aCellThatDisagreesWithWriteSequenceEndsThePullAsDamage() throws Exception {
        String name = name("damaged");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(16).cells(4));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open();
             ChannelMemory m = ChannelMemory.attach(name, io.virta.bus.posix.SharedMemoryObject.openExisting(shm(name)))) {
            writePattern(writer, 16);
            // Frame 1's cell claims frame 1234 while writeSequence stays 1: no writer of section 4 does that.
            m.memory.set(ChannelMemory.I64, m.layout.cellMetadata(0) + io.virta.bus.layout.CellDescriptor.SEQUENCE_OFFSET,
                    1234L);
            ChannelCorruptException e = assertThrows(ChannelCorruptException.class, reader::poll);
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains("damaged"), e.getMessage());
        }
    }
}
