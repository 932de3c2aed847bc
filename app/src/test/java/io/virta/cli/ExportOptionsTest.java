package io.virta.cli;

import io.virta.recorder.export.ExportFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The options of {@code virta record export}: what they turn into, and what a mistake says. */
class ExportOptionsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T08:10:00Z"), ZoneOffset.UTC);

    @Command(name = "export")
    static final class Export {
        @Spec
        CommandSpec spec;
        @Mixin
        ExportOptions options;
    }

    private static ExportOptions.Request parse(Path store, String... args) { // store: only where files go
        Export export = new Export();
        CommandLine line = new CommandLine(export);
        Converters.registerOn(line, CLOCK);
        line.parseArgs(args);
        return export.options.request(export.spec);
    }

    @Test
    void oneCameraToAFileWhoseNameChoosesTheContainer(@TempDir Path dir) {
        ExportOptions.Request request = parse(dir, "--camera", "lobby", "--from", "-10m", "--to", "now",
                "--out", dir.resolve("lobby.MKV").toString());
        assertEquals(List.of("lobby"), request.cameras());
        assertEquals(CLOCK.instant().minusSeconds(600), request.from());
        assertEquals(CLOCK.instant(), request.to());
        assertEquals(ExportFormat.MKV, request.format());
        assertFalse(request.toDirectory());
    }

    @Test
    void severalCamerasToADirectory(@TempDir Path dir) {
        ExportOptions.Request request = parse(dir, "--camera", "lobby", "--camera", "yard", "--camera", "lobby",
                "--from", "2026-12-07T08:00:00Z", "--to", "-1m", "--out", dir.resolve("incident").toString());
        assertEquals(List.of("lobby", "yard"), request.cameras());
        assertEquals(ExportFormat.MP4, request.format());
        assertTrue(request.toDirectory());
        assertEquals(ExportFormat.MKV, parse(dir, "--camera", "a", "--camera", "b", "--from", "-1m", "--to", "now",
                "--out", dir.toString(), "--format", "MKV").format());
    }

    @Test
    void mistakesNameTheOption(@TempDir Path dir) {
        String mp4 = dir.resolve("x.mp4").toString();
        assertMistake("--camera C is required", dir, "--from", "-1m", "--to", "now", "--out", mp4);
        assertMistake("--to T is required", dir, "--camera", "a", "--from", "-1m", "--out", mp4);
        assertMistake("is before --from", dir, "--camera", "a", "--from", "now", "--to", "-1m", "--out", mp4);
        assertMistake("--format applies to several cameras", dir, "--camera", "a", "--from", "-1m", "--to", "now",
                "--out", mp4, "--format", "mkv");
        assertMistake("several cameras go to a directory", dir, "--camera", "a", "--camera", "b", "--from", "-1m",
                "--to", "now", "--out", existingFile(dir));
        assertMistake("--format 'avi' is not mp4 or mkv", dir, "--camera", "a", "--camera", "b", "--from", "-1m",
                "--to", "now", "--out", dir.toString(), "--format", "avi");
        assertMistake("name the file .mp4 or .mkv", dir, "--camera", "a", "--from", "-1m", "--to", "now", "--out",
                dir.resolve("x.avi").toString());
        assertMistake("does not exist", dir, "--camera", "a", "--from", "-1m", "--to", "now", "--out",
                dir.resolve("missing/x.mp4").toString());
    }

    private static String existingFile(Path dir) {
        try {
            return java.nio.file.Files.writeString(dir.resolve("taken.mp4"), "").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertMistake(String expected, Path store, String... args) {
        ParameterException e = assertThrows(ParameterException.class, () -> parse(store, args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
