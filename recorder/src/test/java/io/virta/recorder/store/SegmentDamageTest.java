package io.virta.recorder.store;

import io.virta.recorder.format.SegmentFormatException;
import io.virta.recorder.format.SegmentHeader;
import io.virta.recorder.format.SegmentHeaderDescriptor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.virta.recorder.store.SyntheticStream.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Bit flips and truncations in a segment file: a reader keeps every intact record before the damage,
 * counts the damage, and never throws on the bytes (docs/recording-format.md sections 4.3 and 6).
 */
class SegmentDamageTest {
    private static final int FRAMES = 60;

    @TempDir
    Path directory;

    private byte[] sealed;
    /** Where each frame's record starts and ends (sequence i + 1 at index i). */
    private final List<long[]> records = new ArrayList<>();

    @BeforeEach
    void writeSealedSegment() throws IOException {
        Path file = directory.resolve("original.vseg");
        SegmentHeader header = new SegmentHeader("attic", H264_720P, 1, captureMicros(1), 0, 4 << 20);
        try (SegmentWriter writer = SegmentWriter.create(file, header, Long.MAX_VALUE)) {
            for (long s = 1; s <= FRAMES; s++) {
                long offset = writer.append(direct(payload(s)), captureMicros(s), s, flags(s));
                records.add(new long[] {offset, writer.recordsEnd()});
            }
            writer.seal();
        }
        sealed = Files.readAllBytes(file);
    }

    @Test
    void bitFlipsKeepEveryRecordBeforeThemAndAreCounted() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 300; round++) {
            byte[] bytes = sealed.clone();
            int flips = 1 + random.nextInt(3);
            int first = Integer.MAX_VALUE;
            for (int f = 0; f < flips; f++) {
                int at = SegmentHeaderDescriptor.LENGTH + random.nextInt(bytes.length - SegmentHeaderDescriptor.LENGTH);
                bytes[at] ^= (byte) (1 << random.nextInt(8));
                first = Math.min(first, at);
            }
            checkDamaged(bytes, first, "round " + round);
        }
    }

    @Test
    void truncationsKeepEveryWholeRecordBeforeTheCut() throws IOException {
        SplittableRandom random = new SplittableRandom(8);
        for (int round = 0; round < 200; round++) {
            int length = SegmentHeaderDescriptor.LENGTH + random.nextInt(sealed.length - SegmentHeaderDescriptor.LENGTH);
            byte[] bytes = java.util.Arrays.copyOf(sealed, length);
            List<ReadFrame> read = checkDamaged(bytes, length, "cut at " + length);
            try (SegmentReader reader = open(bytes, SegmentReader.Mode.RESYNC)) {
                while (reader.next()) {
                    // to the end
                }
                assertNotEquals(SegmentEnd.SEALED, reader.end(), "the seal is cut off");
            }
            assertTrue(read.size() < FRAMES);
        }
    }

    @Test
    void aDamagedHeaderIsRefusedByNameAndNothingElse() throws IOException {
        SplittableRandom random = new SplittableRandom(9);
        for (int round = 0; round < 300; round++) {
            byte[] bytes = sealed.clone();
            int at = random.nextInt(SegmentHeaderDescriptor.LENGTH);
            bytes[at] ^= (byte) (1 << random.nextInt(8));
            Path file = directory.resolve("header.vseg");
            Files.write(file, bytes);
            SegmentFormatException refused = assertThrows(SegmentFormatException.class,
                    () -> SegmentReader.open(file, SegmentReader.Mode.RESYNC).close(), "flip at " + at);
            assertTrue(refused.getMessage().startsWith(file.toString()), refused.getMessage());
        }
    }

    @Test
    void aFlipInTheMiddleIsPassedOverAndTheRecordsAfterItAreKept() throws IOException {
        byte[] bytes = sealed.clone();
        long[] tenth = records.get(9);
        bytes[(int) tenth[0] + 40] ^= 1;              // in frame 10's payload
        try (SegmentReader reader = open(bytes, SegmentReader.Mode.RESYNC)) {
            List<Long> sequences = new ArrayList<>();
            while (reader.next()) {
                sequences.add(reader.sequence());
            }
            assertEquals(FRAMES - 1, sequences.size());
            assertFalse(sequences.contains(10L));
            assertEquals(1, reader.damagedRecords());
            assertEquals(SegmentEnd.SEALED, reader.end());
        }
    }

    /** Reads {@code bytes} in both modes: all frames before {@code damageAt} come back, every frame read is intact. */
    private List<ReadFrame> checkDamaged(byte[] bytes, long damageAt, String what) throws IOException {
        List<ReadFrame> resynced = null;
        for (SegmentReader.Mode mode : SegmentReader.Mode.values()) {
            List<ReadFrame> read = new ArrayList<>();
            try (SegmentReader reader = open(bytes, mode)) {
                while (reader.next()) {
                    byte[] payload = new byte[reader.payloadLength()];
                    reader.payload().get(0, payload);
                    read.add(new ReadFrame(reader.sequence(), reader.captureTimeMicros(), reader.flags(), payload, 1));
                }
            }
            long before = records.stream().filter(r -> r[1] <= damageAt).count();
            for (int i = 0; i < before; i++) {
                assertTrue(i < read.size() && read.get(i).sequence() == i + 1, what + " " + mode + ": frame " + (i + 1)
                        + " before the damage is missing");
            }
            assertTrue(read.stream().allMatch(ReadFrame::intact), what + " " + mode + ": a damaged frame was returned");
            if (mode == SegmentReader.Mode.RESYNC) {
                resynced = read;
            }
        }
        return resynced;
    }

    private SegmentReader open(byte[] bytes, SegmentReader.Mode mode) throws IOException {
        Path file = directory.resolve("damaged.vseg");
        Files.write(file, bytes);
        return SegmentReader.open(file, mode);
    }
}
