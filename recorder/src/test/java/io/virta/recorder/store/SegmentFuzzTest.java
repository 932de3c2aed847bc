package io.virta.recorder.store;

import io.virta.recorder.format.RecordDescriptor;
import io.virta.recorder.format.SegmentFormatException;
import io.virta.recorder.format.SegmentHeader;
import io.virta.recorder.format.SegmentHeaderDescriptor;
import io.virta.recorder.format.StoreLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Hostile segment files: the reader (both modes) and recovery survive any bytes, refusing only a bad
 * header and only with {@link SegmentFormatException}. Every file of the persisted corpus in
 * {@code src/test/resources/fuzz/segment/} is replayed first as a regression case, then seeded random
 * mutations of it. A mutation that finds a bug belongs in the corpus: save its bytes there.
 *
 * <p>Regenerate the seeds with {@code -Dvirta.fuzz.regenerate=true -Dtest=SegmentFuzzTest}.
 */
class SegmentFuzzTest {
    private static final Path CORPUS_SOURCE = Path.of("src/test/resources/fuzz/segment");
    private static final int[] INTERESTING = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1, 7, 8, 31, 32, 4096,
            RecordDescriptor.MAGIC_FRAME, RecordDescriptor.MAGIC_SEAL, RecordDescriptor.MAX_PAYLOAD_LENGTH,
            RecordDescriptor.MAX_PAYLOAD_LENGTH + 1};

    @TempDir
    Path directory;

    private int stores;

    @Test
    @Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void corpusThenRandomMutationsAreSurvived() throws Exception {
        List<byte[]> corpus = loadCorpus();
        assertTrue(corpus.size() >= 8, "the corpus is missing: " + corpus.size() + " files");
        for (byte[] bytes : corpus) {
            survive(bytes, true);
        }
        SplittableRandom random = new SplittableRandom(0xF022_2026L);
        for (int round = 0; round < 1500; round++) {
            byte[] mutated = mutate(corpus.get(random.nextInt(corpus.size())), corpus.get(random.nextInt(corpus.size())),
                    random);
            try {
                survive(mutated, round % 10 == 0);
            } catch (AssertionError | RuntimeException failure) {
                Path kept = directory.resolve("failing-" + round + ".vseg");
                Files.write(kept, mutated);
                throw new AssertionError("round " + round + " (input kept at " + kept + "; add it to the corpus)", failure);
            }
        }
    }

    /** Reads {@code bytes} as a segment in both modes, and optionally recovers a store holding it. */
    private void survive(byte[] bytes, boolean recover) throws IOException {
        Path file = directory.resolve("input.vseg");
        Files.write(file, bytes);
        for (SegmentReader.Mode mode : SegmentReader.Mode.values()) {
            try (SegmentReader reader = SegmentReader.open(file, mode)) {
                long frames = 0;
                while (reader.next()) {
                    assertTrue(reader.payloadLength() >= 0 && reader.payload().remaining() == reader.payloadLength());
                    frames++;
                }
                assertNotEquals(SegmentEnd.NONE, reader.end());
                assertTrue(reader.endOffset() >= SegmentHeaderDescriptor.LENGTH && frames >= 0);
            } catch (SegmentFormatException refused) {
                assertTrue(refused.getMessage().startsWith(file.toString()), refused.getMessage());
            }
        }
        if (recover) {
            Path store = directory.resolve("store" + stores++);
            Path camera = StoreLayout.cameraDirectory(store, "fuzz");
            Files.createDirectories(camera);
            Files.write(camera.resolve("0000000000000001" + StoreLayout.SEGMENT_SUFFIX), bytes);
            try (RecordingStore recording = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
                SyntheticStream.readCamera(store, recording.index(), "fuzz");
            }
            try (RecordingStore again = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
                assertTrue(again.recovery().tailsCut() == 0 && again.recovery().filesMovedAside() == 0,
                        "recovery is not idempotent: " + again.recovery());
            }
        }
    }

    private static byte[] mutate(byte[] seed, byte[] other, SplittableRandom random) {
        byte[] bytes = seed.clone();
        switch (random.nextInt(5)) {
            case 0 -> {
                for (int i = 1 + random.nextInt(8); i > 0 && bytes.length > 0; i--) {
                    int at = random.nextInt(bytes.length);
                    bytes[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> {
                if (bytes.length > 8) {
                    int at = random.nextInt(bytes.length / 4 - 1) * 4;
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)
                            .putInt(at, INTERESTING[random.nextInt(INTERESTING.length)]);
                }
            }
            case 2 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            case 3 -> {
                byte[] tail = new byte[random.nextInt(4096)];
                random.nextBytes(tail);
                bytes = Arrays.copyOf(bytes, bytes.length + tail.length);
                System.arraycopy(tail, 0, bytes, seed.length, tail.length);
            }
            default -> {
                int cut = random.nextInt(Math.min(bytes.length, other.length) + 1);
                System.arraycopy(other, cut, bytes, cut, Math.min(bytes.length, other.length) - cut);
            }
        }
        return bytes;
    }

    private static List<byte[]> loadCorpus() throws IOException, URISyntaxException {
        Path corpus = Path.of(SegmentFuzzTest.class.getResource("/fuzz/segment").toURI());
        List<byte[]> inputs = new ArrayList<>();
        try (Stream<Path> files = Files.list(corpus)) {
            for (Path file : files.sorted().toList()) {
                inputs.add(Files.readAllBytes(file));
            }
        }
        return inputs;
    }

    @Test
    @EnabledIfSystemProperty(named = "virta.fuzz.regenerate", matches = "true")
    void regenerateCorpus() throws IOException {
        Files.createDirectories(CORPUS_SOURCE);
        byte[] sealed = smallSegment(8, true);
        byte[] open = smallSegment(8, false);
        Files.write(CORPUS_SOURCE.resolve("sealed-small.vseg"), sealed);
        Files.write(CORPUS_SOURCE.resolve("open-small.vseg"), open);
        Files.write(CORPUS_SOURCE.resolve("sealed-empty.vseg"), smallSegment(0, true));
        Files.write(CORPUS_SOURCE.resolve("truncated-mid-record.vseg"), Arrays.copyOf(sealed, sealed.length - 50));
        Files.write(CORPUS_SOURCE.resolve("length-huge.vseg"), withInt(sealed, recordOffset(sealed, 2) + 4, 0x7fffffff));
        Files.write(CORPUS_SOURCE.resolve("length-negative.vseg"), withInt(sealed, recordOffset(sealed, 2) + 4, -8));
        byte[] zeroed = sealed.clone();
        Arrays.fill(zeroed, (int) recordOffset(sealed, 1), (int) recordOffset(sealed, 3), (byte) 0);
        Files.write(CORPUS_SOURCE.resolve("zeros-inside-sealed.vseg"), zeroed);
        byte[] garbage = open.clone();
        SplittableRandom noise = new SplittableRandom(2);
        for (int i = (int) recordOffset(open, 4); i < garbage.length; i++) {
            garbage[i] = (byte) noise.nextInt(256);
        }
        Files.write(CORPUS_SOURCE.resolve("garbage-tail.vseg"), garbage);
        Files.write(CORPUS_SOURCE.resolve("header-only-zero.vseg"), new byte[SegmentHeaderDescriptor.LENGTH + 64]);
        Files.write(CORPUS_SOURCE.resolve("shorter-than-header.vseg"), Arrays.copyOf(sealed, 100));
        Files.write(CORPUS_SOURCE.resolve("version-2.vseg"), withInt(sealed, SegmentHeaderDescriptor.FORMAT_VERSION_OFFSET, 2));
        Files.write(CORPUS_SOURCE.resolve("seal-checksum-wrong.vseg"), withInt(sealed, sealed.length - 4, 12345));
    }

    /** A segment of camera "fuzz", id 1, 64 KiB preallocated, with {@code frames} frames of 40 to 400 bytes. */
    private byte[] smallSegment(int frames, boolean seal) throws IOException {
        Path file = directory.resolve("seed-" + frames + "-" + seal + ".vseg");
        SegmentHeader header = new SegmentHeader("fuzz", SyntheticStream.H264_720P, 1, SyntheticStream.captureMicros(1),
                0, 64 << 10);
        try (SegmentWriter writer = SegmentWriter.create(file, header, Long.MAX_VALUE)) {
            for (long s = 1; s <= frames; s++) {
                byte[] payload = new byte[(int) (40 + s * 45)];
                Arrays.fill(payload, (byte) s);
                writer.append(SyntheticStream.direct(payload), SyntheticStream.captureMicros(s), s,
                        SyntheticStream.flags(s));
            }
            if (seal) {
                writer.seal();
            }
        }
        return Files.readAllBytes(file);
    }

    /** The offset of record {@code index} (0-based) in a segment of {@link #smallSegment}. */
    private static long recordOffset(byte[] segment, int index) {
        long offset = SegmentHeaderDescriptor.LENGTH;
        ByteBuffer in = ByteBuffer.wrap(segment).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < index; i++) {
            offset = RecordDescriptor.nextRecordOffset(offset, in.getInt((int) offset + RecordDescriptor.PAYLOAD_LENGTH_OFFSET));
        }
        return offset;
    }

    private static byte[] withInt(byte[] bytes, long offset, int value) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt((int) offset, value);
        return copy;
    }
}
