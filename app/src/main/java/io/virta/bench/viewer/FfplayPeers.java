package io.virta.bench.viewer;

import io.virta.bench.ProcessCpu;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Part 3's peer: one {@code ffplay} per shown stream, each decoding and showing the clip in a 640x360
 * window of its own on the benchmark's X server (SDL renders through OpenGL there, Mesa's llvmpipe, as
 * the viewer does). Their status lines ({@code -stats}, on stderr) say how many frames each dropped.
 */
final class FfplayPeers implements AutoCloseable {
    private static final Pattern DROPPED = Pattern.compile("fd=\\s*(\\d+)");

    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();

    FfplayPeers(int count, Path clip, String display) throws IOException {
        try {
            for (int i = 0; i < count; i++) {
                Path log = Files.createTempFile("virta-bench-ffplay-", ".log");
                logs.add(log);
                ProcessBuilder b = new ProcessBuilder("ffplay", "-loglevel", "error", "-stats", "-an", "-loop", "0",
                        "-x", "640", "-y", "360", "-left", Integer.toString(i % 3 * 640),
                        "-top", Integer.toString(i / 3 % 3 * 360), "-window_title", "ffplay " + i, clip.toString())
                        .redirectInput(ProcessBuilder.Redirect.PIPE).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(log.toFile());
                b.environment().put("DISPLAY", display);
                processes.add(b.start());
            }
        } catch (IOException e) {
            close();
            throw new IOException("cannot run ffplay (" + e.getMessage() + "): install the ffmpeg package", e);
        }
    }

    /** CPU seconds all of them have used so far; fails when one has exited. */
    double cpuSeconds() {
        List<Long> pids = new ArrayList<>();
        for (Process p : processes) {
            if (!p.isAlive()) {
                throw new IllegalStateException("ffplay exited (" + p.exitValue() + "): " + lastStatus(logs.get(
                        processes.indexOf(p))));
            }
            pids.add(p.pid());
        }
        return ProcessCpu.seconds(pids);
    }

    /** Frames the ffplays have dropped so far (the sum of their latest {@code fd=}). */
    long dropped() {
        long sum = 0;
        for (Path log : logs) {
            Matcher m = DROPPED.matcher(read(log));
            long latest = 0;
            while (m.find()) {
                latest = Long.parseLong(m.group(1));
            }
            sum += latest;
        }
        return sum;
    }

    /** The latest status line in a log (they end in carriage returns, not newlines). */
    private static String lastStatus(Path log) {
        String text = read(log).stripTrailing();
        return text.substring(Math.max(text.lastIndexOf('\r'), text.lastIndexOf('\n')) + 1);
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Path log : logs) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }
}
