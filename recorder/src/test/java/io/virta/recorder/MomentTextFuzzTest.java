package io.virta.recorder;

import io.virta.testkit.FuzzCorpus;
import io.virta.testkit.FuzzText;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MomentText}, which reads moments from the command line and from the web view's URLs: the
 * forms it takes, then the persisted corpus (src/test/resources/fuzz/MomentTextFuzzTest) and mutated
 * and random text from a fixed seed: each gives a moment or an IllegalArgumentException that quotes
 * the text and lists the forms, never another exception.
 */
class MomentTextFuzzTest {
    private static final long SEED = 0x7153L;
    private static final int ROUNDS = 20_000;
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC);
    private static final String[] SEEDS = {"now", "-30s", "-10m", "-2h", "-1d", "2026-12-07T10:00:00+02:00",
            "2026-12-07T08:00:00.123456Z"};

    @Test
    void theForms() {
        assertEquals(Instant.parse("2026-12-07T09:50:00Z"), MomentText.parse(" -10m ", NOW));
        assertEquals(Instant.parse("2026-12-06T10:00:00Z"), MomentText.parse("-1D", NOW));
        assertEquals(NOW.instant(), MomentText.parse("NOW", NOW));
        assertEquals(Instant.parse("2026-12-07T08:00:00Z"), MomentText.parse("2026-12-07T10:00:00+02:00", NOW));
        String refused = assertThrows(IllegalArgumentException.class,
                () -> MomentText.parse("2026-12-07T10:00:00", NOW)).getMessage();
        assertEquals("'2026-12-07T10:00:00': " + MomentText.FORMS, refused);
    }

    @Test
    void anyTextGivesAMomentOrAMessageQuotingIt() {
        for (FuzzCorpus.Case input : FuzzCorpus.of(MomentTextFuzzTest.class)) {
            check(input.text(), input.name());
        }
        Random random = new Random(SEED);
        for (int round = 0; round < ROUNDS; round++) {
            check(round % 4 == 3 ? FuzzText.printable(random, 40)
                    : FuzzText.mutate(SEEDS[random.nextInt(SEEDS.length)], "0123456789-+:.TZsmhd ", random),
                    "round " + round);
        }
    }

    private static void check(String text, String what) {
        try {
            MomentText.parse(text, NOW);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().equals("'" + text + "': " + MomentText.FORMS), what + ": " + e.getMessage());
        }
    }
}
