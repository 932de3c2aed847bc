package io.virta.viewer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code virta viewer} as its own process, the way users run it (a child JVM on this test's classpath),
 * with its output collected line by line.
 */
public final class ViewerProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();

    private ViewerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "viewer-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code virta viewer args...} (stdout and stderr merged). */
    public static ViewerProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.java(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.virta.cli.Virta", "viewer"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("DISPLAY");
        return new ViewerProcess(builder.start());
    }

    /** Waits for a line that {@code test} accepts; fails with everything printed so far if none comes. */
    public String awaitLine(Predicate<String> test, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (test.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the viewer did not print the expected line within " + timeout
                            + "; it printed:\n" + String.join("\n", lines));
                }
                lines.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Waits for the process to exit by itself; its status. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the viewer did not exit within " + timeout + "; it printed:\n" + output());
        }
        Thread.sleep(100);   // let the reader thread collect the last lines
        return process.exitValue();
    }

    /** SIGTERM, then waits for the exit; its status. */
    public int terminate() throws InterruptedException {
        // Through the handle: Process.destroy() also closes our end of its output, losing its last lines.
        process.toHandle().destroy();
        return awaitExit(Duration.ofSeconds(10));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static final class Path {
        static String java() {
            return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
    }
}
