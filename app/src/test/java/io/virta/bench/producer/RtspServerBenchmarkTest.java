package io.virta.bench.producer;

import io.virta.cli.Virta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code virta bench rtsp-server} stays runnable: a quick run with one client against a real producer
 * process and a real gst-rtsp-server completes, and its client got frames from both (the benchmark
 * fails when a client gets none). The figures are not judged here.
 */
class RtspServerBenchmarkTest {

    @Test
    void aQuickRunCompletesAndItsClientsGetFrames(@TempDir Path dir) throws Exception {
        System.setProperty("virta.home", Path.of("..").toAbsolutePath().normalize().toString());
        Path report = dir.resolve("rtsp-server.md");
        assertEquals(0, Virta.run("bench", "rtsp-server", "--quick", "--out", report.toString()));
        String text = Files.readString(report);
        for (String row : new String[] {"| 1 | **Virta producer** |", "| 1 | gst-rtsp-server, shared media (peer) |"}) {
            assertTrue(text.contains(row), "report has '" + row + "':\n" + text);
        }
    }

    @Test
    void badClientCountsAreRefusedWithTheFlagNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RtspServerBenchmark.clientCounts("1,zero"));
        assertTrue(e.getMessage().contains("--clients '1,zero'"), e.getMessage());
    }
}
