package io.virta.recorder.retention;

import io.virta.testkit.FuzzCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Hostile bytes in the two retention files (docs/recording-format.md section 10): both parsers, and
 * both classes opening such a file in a store directory, survive any input without an exception;
 * what they accept writes back to the same thing; a protection file they do not accept whole makes
 * the ranges unknown (never an empty list that would let retention delete protected video). Every
 * case of the corpus in {@code src/test/resources/fuzz/RetentionFilesFuzzTest/} is replayed, then
 * seeded mutations of them, some with their lines' checksums made right again so that the checks
 * behind the checksum are reached. A mutation that breaks a parser belongs in the corpus.
 */
class RetentionFilesFuzzTest {
    private static final byte[] INTERESTING = {'\n', '\r', ' ', '%', '*', '-', '0', '9', 0, (byte) 0xFF, (byte) 0xC3, 'x'};

    @TempDir
    Path store;

    @Test
    void corpusThenMutationsAreSurvived() throws IOException {
        List<FuzzCorpus.Case> corpus = FuzzCorpus.of(RetentionFilesFuzzTest.class);
        assertTrue(corpus.size() >= 20, "the corpus is missing cases: " + corpus.size());
        for (FuzzCorpus.Case input : corpus) {
            try {
                survive(input.bytes(), true);
            } catch (AssertionError | RuntimeException failure) {
                throw new AssertionError("corpus case " + input.name(), failure);
            }
        }
        SplittableRandom random = new SplittableRandom(0x2E7E_2026L);
        for (int round = 0; round < 4000; round++) {
            byte[] mutated = mutate(corpus.get(random.nextInt(corpus.size())).bytes(),
                    corpus.get(random.nextInt(corpus.size())).bytes(), random);
            try {
                survive(mutated, round % 40 == 0);
            } catch (AssertionError | RuntimeException failure) {
                throw new AssertionError("round " + round + ", input:\n" + new String(mutated, StandardCharsets.ISO_8859_1),
                        failure);
            }
        }
    }

    @Test
    void theCorpusHoldsWhatTheSpecSays() {
        for (FuzzCorpus.Case input : FuzzCorpus.of(RetentionFilesFuzzTest.class)) {
            switch (input.name()) {
                case "marks-valid.txt" -> {
                    EventMarkLog.Parsed parsed = EventMarkLog.parse(input.bytes());
                    assertEquals(3, parsed.marks().size());
                    assertEquals("rot kehlchen 🐦", parsed.marks().get(1).label());
                    assertEquals(0, parsed.damagedLines());
                }
                case "marks-torn-tail.txt" -> assertEquals(17, EventMarkLog.parse(input.bytes()).tornTailBytes());
                case "marks-checksum-wrong.txt" -> assertEquals(1, EventMarkLog.parse(input.bytes()).damagedLines());
                case "marks-version-2.txt" -> assertTrue(EventMarkLog.parse(input.bytes()).unusable().isPresent());
                case "protected-valid.txt" -> {
                    ProtectedRanges.Parsed parsed = ProtectedRanges.parse(input.bytes());
                    assertEquals(2, parsed.ranges().size());
                    assertEquals("insurance%claim", parsed.ranges().get(1).reason());
                    assertTrue(parsed.ranges().get(1).camera().isEmpty());
                    assertEquals(5, parsed.nextId());
                }
                default -> {
                    if (input.name().startsWith("protected-") && !input.name().equals("protected-header-only.txt")) {
                        assertTrue(ProtectedRanges.parse(input.bytes()).unusable().isPresent(), input.name());
                    }
                }
            }
        }
    }

    private void survive(byte[] bytes, boolean openInAStore) throws IOException {
        EventMarkLog.Parsed marks = EventMarkLog.parse(bytes);
        assertTrue(marks.tornTailBytes() >= 0 && marks.tornTailBytes() <= bytes.length);
        assertTrue(marks.damagedLines() >= 0);
        if (marks.unusable().isEmpty()) {
            StringBuilder again = new StringBuilder(EventMarkLog.HEADER).append('\n');
            marks.marks().forEach(mark -> again.append(EventMarkLog.line(mark)));
            EventMarkLog.Parsed reread = EventMarkLog.parse(again.toString().getBytes(StandardCharsets.US_ASCII));
            assertEquals(marks.marks(), reread.marks(), "marks written back read the same");
            assertEquals(0, reread.damagedLines());
        } else {
            assertTrue(marks.marks().isEmpty());
        }

        ProtectedRanges.Parsed ranges = ProtectedRanges.parse(bytes);
        assertTrue(ranges.nextId() >= 1);
        Set<Long> ids = new HashSet<>();
        for (ProtectedRange range : ranges.ranges()) {
            assertTrue(range.id() < ranges.nextId() && ids.add(range.id()), "id " + range.id());
        }
        if (ranges.unusable().isEmpty()) {
            ProtectedRanges.Parsed reread = ProtectedRanges.parse(ProtectedRanges.format(ranges.ranges(), ranges.nextId())
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals(ranges, reread, "ranges written back read the same");
        }

        if (openInAStore) {
            Files.write(store.resolve(EventMarkLog.FILE), bytes);
            Files.write(store.resolve(ProtectedRanges.FILE), bytes);
            EventMarkLog log = EventMarkLog.open(store);
            assertEquals(marks.marks(), log.marks());
            assertEquals(marks.unusable().isPresent(), log.unusable().isPresent());
            ProtectedRanges opened = ProtectedRanges.open(store, InstantSource.system());
            assertEquals(ranges.unusable().isPresent(), opened.unusable().isPresent());
            if (opened.unusable().isEmpty()) {
                assertEquals(ranges.ranges(), opened.list());
            }
        }
    }

    private static byte[] mutate(byte[] base, byte[] other, SplittableRandom random) {
        List<Byte> bytes = new ArrayList<>(base.length + 16);
        for (byte b : base) {
            bytes.add(b);
        }
        for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
            int at = bytes.isEmpty() ? 0 : random.nextInt(bytes.size());
            switch (random.nextInt(7)) {
                case 0 -> {
                    if (!bytes.isEmpty()) {
                        bytes.set(at, (byte) (bytes.get(at) ^ (1 << random.nextInt(8))));
                    }
                }
                case 1 -> bytes.add(at, INTERESTING[random.nextInt(INTERESTING.length)]);
                case 2 -> {
                    int length = Math.min(bytes.size() - at, 1 + random.nextInt(20));
                    bytes.subList(at, at + length).clear();
                }
                case 3 -> {
                    if (!bytes.isEmpty() && Character.isDigit(bytes.get(at))) {
                        bytes.set(at, (byte) ('0' + random.nextInt(10)));
                    }
                }
                case 4 -> {
                    int from = other.length == 0 ? 0 : random.nextInt(other.length);
                    for (int i = from; i < Math.min(other.length, from + 1 + random.nextInt(80)); i++) {
                        bytes.add(Math.min(at + i - from, bytes.size()), other[i]);
                    }
                }
                case 5 -> bytes.subList(Math.min(bytes.size(), at + 1 + random.nextInt(8)), bytes.size()).clear();
                default -> {
                    // A line duplicated: the same id twice, the same mark twice.
                    List<Byte> copy = new ArrayList<>(bytes.subList(at, Math.min(bytes.size(), at + 60)));
                    bytes.addAll(Math.min(bytes.size(), at + copy.size()), copy);
                }
            }
        }
        byte[] out = new byte[bytes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.get(i);
        }
        return random.nextBoolean() ? rechecksum(out) : out;
    }

    /** Gives every line after the first that has a space a right checksum, so checks past it are reached. */
    private static byte[] rechecksum(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder(lines[0]);
        for (int i = 1; i < lines.length; i++) {
            out.append('\n');
            int last = lines[i].lastIndexOf(' ');
            boolean isLast = i == lines.length - 1;
            if (last > 0 && !isLast) {
                String line = RetentionLines.line(lines[i].substring(0, last));
                out.append(line, 0, line.length() - 1);
            } else {
                out.append(lines[i]);
            }
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
