package io.virta.testkit;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program (ffmpeg, ffprobe, gst-launch-1.0) to completion and captures what it
 * printed. A program that outlives its timeout is killed; the result then says so.
 */
public final class ExternalCommand {
    /** Debian's builds, installed by scripts/install-deps.sh; the pyenv python first on PATH cannot import gi. */
    public static final String FFMPEG = "/usr/bin/ffmpeg";
    public static final String FFPROBE = "/usr/bin/ffprobe";
    public static final String GST_LAUNCH = "/usr/bin/gst-launch-1.0";
    public static final String DEBIAN_PYTHON = "/usr/bin/python3";

    private ExternalCommand() {}

    /** What a finished (or killed) program left behind. {@code exitCode} is -1 when it was killed for time. */
    public record Result(List<String> command, int exitCode, boolean timedOut, String stdout, String stderr) {
        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        /** A one-paragraph account for assertion messages. */
        public String describe() {
            return String.join(" ", command) + "\n  exit " + (timedOut ? "(killed: timed out)" : exitCode)
                    + "\n  stderr: " + tail(stderr) + "\n  stdout: " + tail(stdout);
        }

        private static String tail(String text) {
            return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
        }
    }

    public static Result run(Duration timeout, String... command) {
        return run(timeout, List.of(command));
    }

    public static Result run(Duration timeout, List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.getFirst()
                    + " (is it installed? scripts/install-deps.sh installs the test tools)", e);
        }
        // Both pipes are drained while the program runs, or a chatty program blocks on a full pipe.
        Drain stdout = Drain.start(process.getInputStream());
        Drain stderr = Drain.start(process.getErrorStream());
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
        return new Result(List.copyOf(command), finished ? process.exitValue() : -1, !finished,
                stdout.text(), stderr.text());
    }

    /** Reads a stream to its end on a virtual thread. */
    private static final class Drain {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        private Drain(InputStream in) {
            thread = Thread.ofVirtual().start(() -> {
                try (in) {
                    in.transferTo(bytes);
                } catch (IOException ignored) {
                    // The program was killed mid-write: keep what arrived.
                }
            });
        }

        static Drain start(InputStream in) {
            return new Drain(in);
        }

        String text() {
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
