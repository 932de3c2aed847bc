package io.virta.viewer;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real X server (Xvfb) of a test's own, on the first free display of :90..:120, so that tests never
 * draw on a developer's or another test's display. Free means no {@code /tmp/.X<n>-lock}; when another
 * process wins the race for a number, Xvfb exits at once and the next number is tried.
 *
 * <pre>{@code
 * try (XServer x = XServer.start(1280, 720)) {
 *     new ProcessBuilder(...).environment().put("DISPLAY", x.display());
 * }
 * }</pre>
 */
public final class XServer implements AutoCloseable {
    private static final int FIRST_DISPLAY = 90;
    private static final int LAST_DISPLAY = 120;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);

    private final int number;
    private final Process process;
    private final Path log;

    private XServer(int number, Process process, Path log) {
        this.number = number;
        this.process = process;
        this.log = log;
    }

    /** Starts Xvfb with one screen of {@code width}x{@code height}, 24-bit, and waits until it accepts clients. */
    public static XServer start(int width, int height) throws IOException, InterruptedException {
        String lastLog = "";
        for (int n = FIRST_DISPLAY; n <= LAST_DISPLAY; n++) {
            if (Files.exists(lockFile(n))) {
                continue;
            }
            Path log = Files.createTempFile("xvfb-" + n + "-", ".log");
            Process process = new ProcessBuilder("Xvfb", ":" + n, "-screen", "0", width + "x" + height + "x24",
                    "-nolisten", "tcp")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (awaitReady(n, process)) {
                return new XServer(n, process, log);
            }
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            lastLog = Files.readString(log).strip();
            Files.deleteIfExists(log);
        }
        throw new IOException("no free X display in :" + FIRST_DISPLAY + "..:" + LAST_DISPLAY
                + " (every /tmp/.X<n>-lock is taken, or Xvfb does not start); Xvfb's last words: " + lastLog);
    }

    /** True once the display's socket accepts a connection; false if Xvfb exited (the number was taken). */
    private static boolean awaitReady(int n, Process process) throws InterruptedException {
        UnixDomainSocketAddress socket = UnixDomainSocketAddress.of("/tmp/.X11-unix/X" + n);
        long giveUp = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < giveUp) {
            if (!process.isAlive()) {
                return false;
            }
            try (SocketChannel ignored = SocketChannel.open(socket)) {
                return true;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        return false;
    }

    private static Path lockFile(int n) {
        return Path.of("/tmp/.X" + n + "-lock");
    }

    /** The value for {@code DISPLAY}, e.g. ":91". */
    public String display() {
        return ":" + number;
    }

    public int number() {
        return number;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(log);
    }
}
