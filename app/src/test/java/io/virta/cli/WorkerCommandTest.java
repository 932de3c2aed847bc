package io.virta.cli;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.WritableFrame;
import io.virta.demo.camera.DemoPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code virta worker}: options, errors a user meets, workers by name and class, and a run on the demo camera. */
@Timeout(120)
class WorkerCommandTest {
    private static final Pattern BOX = Pattern.compile(
            "\\{\"x\":([0-9.]+),\"y\":([0-9.]+),\"width\":([0-9.]+),\"height\":([0-9.]+),\"label\":\"motion\"");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int worker(String... args) {
        return WorkerCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
    }

    @Test
    void helpAndUsageMistakes() {
        assertEquals(0, worker("--help"));
        assertTrue(out.toString().contains("usage: virta worker <motion|CLASS> --camera NAME"));
        assertError(2, "--camera NAME is required", "motion");
        assertError(2, "missing worker", "--camera", "x");
        assertError(2, "--ignore '0.5,0.5,0.9,0.1'", "motion", "--camera", "x", "--ignore", "0.5,0.5,0.9,0.1");
        assertError(2, "--min-area: 3.0 is outside [0, 1]", "motion", "--camera", "x", "--min-area", "3");
        assertError(2, "--hub: 'nowhere' is not HOST:PORT", "motion", "--camera", "x", "--hub", "nowhere");
        assertError(2, "unknown channel type 'h265'", "motion", "--camera", "x", "--type", "h265");
        assertError(2, "no worker 'com.example.Nope'", "com.example.Nope", "--camera", "x");
        assertError(2, "class java.lang.String does not implement io.virta.worker.Worker", "java.lang.String",
                "--camera", "x");
        assertError(2, "needs a public constructor without parameters", CountingWorker.NeedsArguments.class.getName(),
                "--camera", "x");
    }

    /** The benchmark stays runnable: a quick run produces every row (figures are not judged here). */
    @Test
    void theWorkerBenchmarkRunsQuickly(@TempDir Path dir) throws Exception {
        assertEquals(0, Virta.run("bench", "worker", "--help"));
        Path report = dir.resolve("worker.md");
        assertEquals(0, Virta.run("bench", "worker", "--seconds", "0.2", "--out", report.toString()));
        String text = Files.readString(report);
        for (String row : new String[] {"memcpy of a frame", "worker loop (FrameStream.next)", "worker callback",
                "OpenCV sumElems", "OpenCV cvtColor", "copy out first"}) {
            assertTrue(text.contains(row), "report has '" + row + "':\n" + text);
        }
    }

    @Test
    void anUnreachableProducerIsNamedWithTheWayOut() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertError(1, "cannot reach the producer's control API at 127.0.0.1:" + port, "motion", "--camera", "lobby",
                "--control", "127.0.0.1:" + port, "--hub", "none");
        assertTrue(err.toString().contains("--channel"), err.toString());
    }

    @Test
    void theMotionDetectorRunsOnAChannelAndPrintsEvents() throws Exception {
        String channel = "t.wcli." + ProcessHandle.current().pid();
        AtomicBoolean writing = new AtomicBoolean(true);
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(channel, 320, 180))) {
            Thread scene = Thread.ofPlatform().start(() -> {
                for (int i = 0; writing.get(); i++) {
                    drawSquare(writer, 20 + (i * 4) % 240, 60);
                    sleep(20);
                }
            });
            try {
                assertEquals(0, worker("motion", "--camera", "yard", "--channel", channel, "--hub", "none", "--print",
                        "--fps", "10", "--seconds", "3", "--name", "yard-motion"));
            } finally {
                writing.set(false);
                scene.join();
            }
        } finally {
            Files.deleteIfExists(Path.of("/dev/shm/virta." + channel));
        }
        List<String> events = out.toString().lines().toList();
        assertTrue(events.size() >= 5, "events printed: " + out + err);
        assertTrue(events.size() <= 40, "--fps 10 for 3 s analyzes about 30 frames: " + events.size());
        for (String line : events) {
            assertTrue(line.startsWith("{\"type\":\"motion\",\"camera\":\"yard\""), line);
            assertTrue(line.contains("\"source\":\"yard-motion\"") && line.contains("\"moving_fraction\":"), line);
            assertTrue(BOX.matcher(line).find(), line);
        }
        assertTrue(err.toString().contains("worker yard-motion stopped: "), err.toString());
        assertTrue(err.toString().contains("events (no hub)"), err.toString());
    }

    @Test
    void theMotionDetectorRefusesAnEncodedChannel() throws Exception {
        String channel = "t.wenc." + ProcessHandle.current().pid();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(channel, ChannelType.ENCODED).capacity(4096))) {
            assertError(1, "the motion detector needs pictures", "motion", "--camera", "c", "--channel", channel,
                    "--type", "encoded", "--hub", "none");
            assertEquals(0, writer.readerCount(), "the failed worker left the channel");
        } finally {
            Files.deleteIfExists(Path.of("/dev/shm/virta." + channel));
        }
    }

    @Test
    void aWorkerClassRunsByNameWithItsArguments() throws Exception {
        String channel = "t.wcls." + ProcessHandle.current().pid();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(channel, 32, 16))) {
            Thread scene = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 60; i++) {
                    drawSquare(writer, 0, 0);
                    sleep(10);
                }
            });
            assertEquals(0, worker(CountingWorker.class.getName(), "--camera", "c", "--channel", channel, "--hub", "none",
                    "--print", "--fps", "0", "--arg", "every=5", "--seconds", "2"));
            scene.join();
        } finally {
            Files.deleteIfExists(Path.of("/dev/shm/virta." + channel));
        }
        List<String> events = out.toString().lines().toList();
        assertTrue(events.size() >= 5, out.toString() + err);
        assertTrue(events.getFirst().contains("\"source\":\"CountingWorker\""), events.getFirst());
        assertTrue(events.getFirst().contains("\"frames\":\"5\""), events.getFirst());
    }

    /**
     * The whole path as a user runs it, each in its own process: the demo camera through the producer,
     * `virta worker motion` attached by camera name, stopped with SIGTERM. The worker's stderr goes to a
     * file: what a child prints while it exits can go missing from a pipe the JDK closes on its exit.
     */
    @Test
    void onTheDemoCameraMotionIsReportedAndSigtermStopsCleanly(@TempDir Path dir) throws Exception {
        String camera = "wdemo" + ProcessHandle.current().pid();
        Process demo = virta(null, "demo", "--camera", camera, "--size", "320x240", "--rgb", "320x240", "--seconds", "90",
                "--no-python");
        Process worker = null;
        try {
            List<String> demoOutput = Collections.synchronizedList(new ArrayList<>());
            String control = awaitLine(demo, Pattern.compile("control API .* on (\\S+)"), demoOutput);
            DemoPattern pattern = new DemoPattern(320, 240);
            DemoPattern.NormalizedBox strip = pattern.stripBox();
            DemoPattern.NormalizedBox clock = pattern.clockBox();
            Path stderr = dir.resolve("worker.err");
            worker = virta(stderr, "worker", "motion", "--camera", camera, "--control", control, "--hub", "none",
                    "--print", "--ignore", region(strip, 0.02), "--ignore", region(clock, 0.02));
            List<String> stdout = Collections.synchronizedList(new ArrayList<>());
            drain(worker.getInputStream(), stdout);
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (stdout.size() < 5) {
                assertTrue(worker.isAlive(), "the worker runs: " + Files.readString(stderr));
                assertTrue(System.nanoTime() < giveUp, "5 motion events within 60 s: " + stdout + Files.readString(stderr));
                Thread.sleep(100);
            }
            worker.destroy();   // SIGTERM
            assertTrue(worker.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
            String errors = Files.readString(stderr);
            assertEquals(143, worker.exitValue(), "128 + SIGTERM, as for any JVM the signal stops: " + errors);
            assertTrue(errors.contains("channel '" + camera + ".rgb'"), errors);
            assertTrue(errors.contains("worker motion stopped: "), "a summary line after SIGTERM: " + errors);
            DemoPattern.NormalizedBox square = pattern.squareBox(0);
            boolean sawSquare = false;
            for (String line : List.copyOf(stdout)) {
                assertTrue(line.startsWith("{\"type\":\"motion\",\"camera\":\"" + camera + "\""), line);
                Matcher m = BOX.matcher(line);
                while (m.find()) {
                    double x = Double.parseDouble(m.group(1));
                    double y = Double.parseDouble(m.group(2));
                    double w = Double.parseDouble(m.group(3));
                    double h = Double.parseDouble(m.group(4));
                    assertFalse(inside(x, y, w, h, strip) || inside(x, y, w, h, clock),
                            "a box within an ignored area: " + line);
                    sawSquare |= y < square.y() + square.height() && square.y() < y + h;
                }
            }
            assertTrue(sawSquare, "the bouncing square's band has motion: " + stdout);
            // The demo's own motion detector, supervised by its producer, reports through the hub to the demo's subscriber.
            String demoEvent = "event:         motion on " + camera + " from motion, captured ";
            // That detector is a JVM of its own, started by the producer: on a loaded machine it may report
            // its first event after this test's worker has already reported five.
            long demoGiveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (List.copyOf(demoOutput).stream().noneMatch(l -> l.startsWith(demoEvent))
                    && System.nanoTime() < demoGiveUp) {
                Thread.sleep(100);
            }
            assertTrue(List.copyOf(demoOutput).stream().anyMatch(l -> l.startsWith(demoEvent)),
                    "the demo prints its motion detector's events: " + demoOutput);
        } finally {
            if (worker != null) {
                worker.destroyForcibly();
            }
            demo.destroy();
            demo.waitFor(20, TimeUnit.SECONDS);
            demo.destroyForcibly();
        }
        for (String suffix : new String[] {".h264", ".yuv", ".rgb"}) {
            Files.deleteIfExists(Path.of("/dev/shm/virta." + camera + suffix));
        }
    }

    private static String region(DemoPattern.NormalizedBox b, double margin) {
        double x = Math.max(0, b.x() - margin);
        double y = Math.max(0, b.y() - margin);
        double w = Math.min(1 - x, b.width() + 2 * margin);
        double h = Math.min(1 - y, b.height() + 2 * margin);
        return String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%.4f", x, y, w, h);
    }

    private static boolean inside(double x, double y, double w, double h, DemoPattern.NormalizedBox b) {
        double e = 1e-3;
        return x >= b.x() - e && y >= b.y() - e && x + w <= b.x() + b.width() + e && y + h <= b.y() + b.height() + e;
    }

    /** {@code virta ARGS} as a process of its own; stderr to {@code errors} if given. */
    private static Process virta(Path errors, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(io.virta.cli.VirtaJvm.command(args));
        if (errors != null) {
            builder.redirectError(errors.toFile());
        }
        return builder.start();
    }

    private static String awaitLine(Process p, Pattern pattern, List<String> rest) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                drain(p.getInputStream(), rest);
                drain(p.getErrorStream(), new ArrayList<>());   // a full pipe would stall the demo
                return m.group(1);
            }
        }
        throw new AssertionError("the process ended before printing " + pattern);
    }

    private static void drain(java.io.InputStream in, List<String> lines) {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        Thread.ofPlatform().daemon().start(() -> r.lines().forEach(lines::add));
    }

    /** A dark frame with a bright 40x40 square at (x, y). */
    private static void drawSquare(ChannelWriter writer, int x, int y) {
        WritableFrame f = writer.claim();
        MemorySegment p = f.payload();
        int width = writer.spec().width();
        int height = writer.spec().height();
        p.asSlice(0, (long) width * height * 3).fill((byte) 16);
        for (int row = y; row < Math.min(height, y + 40); row++) {
            int w = Math.min(40, width - x);
            if (w > 0) {
                p.asSlice(((long) row * width + x) * 3, w * 3L).fill((byte) 240);
            }
        }
        writer.commit();
    }

    private void assertError(int status, String message, String... args) {
        err.reset();
        assertEquals(status, worker(args), err.toString());
        assertTrue(err.toString().contains(message), "'" + message + "' in: " + err);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
