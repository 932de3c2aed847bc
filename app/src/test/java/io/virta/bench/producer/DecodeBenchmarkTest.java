package io.virta.bench.producer;

import io.virta.cli.Virta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The decode benchmark stays runnable: help, usage errors, and a quick run with every row (figures are not judged). */
class DecodeBenchmarkTest {

    @Test
    void helpAndUsageErrors() {
        assertEquals(0, Virta.run("bench", "decode", "--help"));
        assertEquals(2, Virta.run("bench", "decode", "--fast"));
        assertEquals(2, Virta.run("bench", "decode", "--out"));
    }

    @Test
    void aQuickRunReportsEverySide(@TempDir Path dir) throws Exception {
        System.setProperty("virta.home", Path.of("..").toAbsolutePath().normalize().toString());
        Path report = dir.resolve("decode.md");
        assertEquals(0, Virta.run("bench", "decode", "--quick", "--out", report.toString()));
        String text = Files.readString(report);
        assertTrue(text.contains("5.1"), "Debian's ffmpeg version:\n" + text);
        assertTrue(text.contains("8.0"), "JavaCV's FFmpeg version:\n" + text);
        assertEquals(2, text.lines().filter(l -> l.contains("**Virta:")).count(), text);
        assertEquals(4, text.lines().filter(l -> l.contains("| ffmpeg CLI")).count(), text);
        assertTrue(text.contains("RGB conversion alone, measured directly") && text.contains("**Virta "), text);
    }
}
