package io.virta.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --from T} / {@code --to T} of the record commands: the forms a user types, and what a mistake says. */
class RecordTimeArgumentsTest {
    private static final Instant NOW = Instant.parse("2026-12-07T08:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.ofHours(2));
    private final TimeArgument times = new TimeArgument(CLOCK);

    @Test
    void isoWithAnOffsetOrZ() {
        assertEquals(NOW, times.convert("2026-12-07T10:00:00+02:00"));
        assertEquals(NOW, times.convert("2026-12-07T08:00:00Z"));
        assertEquals(NOW.plusMillis(250), times.convert("2026-12-07T08:00:00.250Z"));
    }

    @Test
    void relativeToTheClock() {
        assertEquals(NOW, times.convert("now"));
        assertEquals(NOW.minusSeconds(30), times.convert("-30s"));
        assertEquals(NOW.minusSeconds(600), times.convert("-10m"));
        assertEquals(NOW.minusSeconds(7200), times.convert("-2h"));
        assertEquals(NOW.minusSeconds(86_400), times.convert("-1d"));
    }

    @Test
    void anythingElseSaysWhatToGive() {
        for (String bad : new String[] {"10:00", "2026-12-07T10:00:00", "-10", "-10y", "+10m", "yesterday", ""}) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> times.convert(bad), bad);
            assertTrue(e.getMessage().contains("give ISO-8601 with an offset, e.g. 2026-12-07T10:00:00+02:00")
                    && e.getMessage().contains("-10m"), e.getMessage());
        }
    }

    @Test
    void theCommandLineNamesTheOption(@TempDir Path store) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Virta.run(new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)), CLOCK,
                "record", "ls", "--store", store.toString(), "--from", "10:00");
        assertEquals(2, status);
        assertEquals("error: virta record ls: invalid value for option '--from': '10:00': give ISO-8601 with an offset,"
                + " e.g. 2026-12-07T10:00:00+02:00, or a relative time like -10m (units s, m, h, d) or now",
                err.toString().lines().findFirst().orElseThrow());
    }
}
