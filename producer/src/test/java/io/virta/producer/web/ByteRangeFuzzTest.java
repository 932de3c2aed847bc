package io.virta.producer.web;

import io.virta.testkit.FuzzCorpus;
import io.virta.testkit.FuzzText;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ByteRange}, the parser of a browser's {@code Range} header: the forms a {@code <video>} sends,
 * then the persisted corpus (src/test/resources/fuzz/ByteRangeFuzzTest) and mutated and random headers
 * from a fixed seed, each against files of several lengths: never an exception, and a PART always lies
 * inside the file and is not empty.
 */
class ByteRangeFuzzTest {
    private static final long SEED = 0xb17e5L;
    private static final int ROUNDS = 20_000;
    private static final long[] LENGTHS = {0, 1, 10, 1000, 300_000_000_000L};
    private static final String[] SEEDS = {"bytes=0-", "bytes=0-1", "bytes=100-199", "bytes=-500", "bytes=5-",
            "bytes=0-0", "bytes=1-2, 5-6"};

    @Test
    void theFormsABrowserSends() {
        assertEquals(new ByteRange(ByteRange.Kind.PART, 0, 1000), ByteRange.of("bytes=0-", 1000));
        assertEquals(new ByteRange(ByteRange.Kind.PART, 100, 100), ByteRange.of("bytes=100-199", 1000));
        assertEquals(new ByteRange(ByteRange.Kind.PART, 900, 100), ByteRange.of("bytes=900-5000", 1000));
        assertEquals(new ByteRange(ByteRange.Kind.PART, 500, 500), ByteRange.of("bytes=-500", 1000));
        assertEquals(new ByteRange(ByteRange.Kind.PART, 0, 1000), ByteRange.of("bytes=-5000", 1000));
        assertEquals(ByteRange.Kind.UNSATISFIABLE, ByteRange.of("bytes=1000-", 1000).kind());
        assertEquals(ByteRange.Kind.UNSATISFIABLE, ByteRange.of("bytes=-0", 1000).kind());
        assertEquals(ByteRange.Kind.WHOLE, ByteRange.of(null, 1000).kind());
        assertEquals(ByteRange.Kind.WHOLE, ByteRange.of("bytes=0-1,4-5", 1000).kind(), "several ranges: the whole file");
        assertEquals(ByteRange.Kind.WHOLE, ByteRange.of("items=0-1", 1000).kind());
        assertEquals(ByteRange.Kind.WHOLE, ByteRange.of("bytes=5-3", 1000).kind());
    }

    @Test
    void anyHeaderGivesAWholeARangeInsideTheFileOrUnsatisfiable() {
        for (FuzzCorpus.Case input : FuzzCorpus.of(ByteRangeFuzzTest.class)) {
            check(input.text(), input.name());
        }
        Random random = new Random(SEED);
        for (int round = 0; round < ROUNDS; round++) {
            check(round % 4 == 3 ? FuzzText.printable(random, 30)
                    : FuzzText.mutate(SEEDS[random.nextInt(SEEDS.length)], "0123456789-=, b+e", random),
                    "round " + round);
        }
    }

    private static void check(String header, String what) {
        for (long length : LENGTHS) {
            ByteRange range = ByteRange.of(header, length);
            String context = what + ": '" + header + "' of " + length + " bytes: " + range;
            switch (range.kind()) {
                case WHOLE -> assertTrue(range.first() == 0 && range.length() == length, context);
                case PART -> assertTrue(range.first() >= 0 && range.length() > 0
                        && range.first() + range.length() <= length, context);
                case UNSATISFIABLE -> assertTrue(range.length() == 0, context);
            }
        }
    }
}
