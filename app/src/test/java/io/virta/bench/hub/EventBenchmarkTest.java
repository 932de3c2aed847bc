package io.virta.bench.hub;

import io.virta.cli.Virta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark stays runnable: a tiny run produces every table row (figures are not judged here). */
@Timeout(120)
class EventBenchmarkTest {
    @Test
    void aTinyRunProducesEveryRow(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("events.md");
        assertEquals(0, Virta.run("bench", "events", "--quick", "--events", "2560", "--out", report.toString()));
        String text = Files.readString(report);
        for (String row : new String[] {"bare Chronicle append of the same bytes (floor)", "EventJournal.append",
                "no-op unary call", "bare gRPC relay", "hub: Report → validate → journal → queue → subscriber"}) {
            assertTrue(text.contains(row), "report has '" + row + "':\n" + text);
        }
        assertTrue(text.contains("| 2560 | 0 |"), "the subscriber received everything:\n" + text);
    }
}
