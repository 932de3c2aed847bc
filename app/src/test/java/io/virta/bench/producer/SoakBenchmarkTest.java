package io.virta.bench.producer;

import io.virta.cli.Virta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code virta bench soak} stays runnable: one camera through one kill and restart of a real
 * gst-rtsp-server completes (the benchmark fails when a camera does not come back), and the report
 * has its rows. The figures are not judged here.
 */
class SoakBenchmarkTest {

    @Test
    void oneCycleCompletesAndIsReported(@TempDir Path dir) throws Exception {
        System.setProperty("virta.home", Path.of("..").toAbsolutePath().normalize().toString());
        Path report = dir.resolve("soak.md");
        assertEquals(0, Virta.run("bench", "soak", "--cameras", "1", "--cycles", "1", "--up", "0.5", "--down", "0.2",
                "--out", report.toString()));
        String text = Files.readString(report);
        for (String expected : new String[] {"| 0 | ", "| 1 | ", "RSS from cycle 1 to 1", "over 1 reconnects",
                "Frames lost after that first frame"}) {
            assertTrue(text.contains(expected), "report has '" + expected + "':\n" + text);
        }
    }

    @Test
    void usageErrorsExitWith2() throws Exception {
        assertEquals(0, Virta.run("bench", "soak", "--help"));
        assertEquals(2, Virta.run("bench", "soak", "--fast"));
        assertEquals(2, Virta.run("bench", "soak", "--size", "big"));
        assertEquals(2, Virta.run("bench", "soak", "--transport", "carrier-pigeon"));
    }
}
