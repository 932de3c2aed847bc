package io.virta.testkit;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * An X server of one's own: Xvfb on the first free display of a range, so that it never draws on a
 * desktop or on another user's display. The benchmark takes :130..:160, tests :90..:120. Free means no
 * {@code /tmp/.X<n>-lock}; a number another process takes between the look and the start makes Xvfb
 * exit at once, and the next one is tried.
 */
public final class Xvfb implements AutoCloseable {
    private static final int FIRST = 130;
    private static final int LAST = 160;
    private static final int FIRST_FOR_TESTS = 90;
    private static final int LAST_FOR_TESTS = 120;
    private static final long READY_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final Process process;
    private final String display;

    private Xvfb(Process process, int number) {
        this.process = process;
        this.display = ":" + number;
    }

    /** Starts a {@code width}x{@code height} 24-bit screen and returns once it accepts clients. */
    public static Xvfb start(int width, int height) throws IOException, InterruptedException {
        return start(width, height, FIRST, LAST);
    }

    /** The same on a display of :90..:120, the range tests use. */
    public static Xvfb forTests(int width, int height) throws IOException, InterruptedException {
        return start(width, height, FIRST_FOR_TESTS, LAST_FOR_TESTS);
    }

    private static Xvfb start(int width, int height, int first, int last) throws IOException, InterruptedException {
        for (int n = first; n <= last; n++) {
            if (Files.exists(Path.of("/tmp/.X" + n + "-lock"))) {
                continue;
            }
            Process p;
            try {
                p = new ProcessBuilder("Xvfb", ":" + n, "-screen", "0", width + "x" + height + "x24", "-nolisten", "tcp")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                throw new IOException("cannot run Xvfb (" + e.getMessage() + "): install the xvfb package"
                        + " (scripts/install-deps.sh), or pass --display with an X server that runs", e);
            }
            if (accepts(n, p)) {
                return new Xvfb(p, n);
            }
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        throw new IOException("no free X display in :" + first + "..:" + last + " (every /tmp/.X<n>-lock is taken);"
                + " stop stale Xvfb processes, or pass --display :N of a running X server instead");
    }

    private static boolean accepts(int n, Process p) throws InterruptedException {
        UnixDomainSocketAddress socket = UnixDomainSocketAddress.of("/tmp/.X11-unix/X" + n);
        long giveUp = System.nanoTime() + READY_NANOS;
        while (p.isAlive() && System.nanoTime() - giveUp < 0) {
            try (SocketChannel ignored = SocketChannel.open(socket)) {
                return true;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        return false;
    }

    public long pid() {
        return process.pid();
    }

    /** The DISPLAY value, e.g. ":130". */
    public String display() {
        return display;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
