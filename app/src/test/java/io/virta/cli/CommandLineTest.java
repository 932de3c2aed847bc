package io.virta.cli;

import io.virta.bus.ChannelName;
import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelType;
import io.virta.bus.PullStatus;
import io.virta.demo.camera.DemoPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/** The command line as a user meets it: help everywhere, clear usage errors, a demo that runs. */
class CommandLineTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int bus(String... args) {
        return Virta.run(new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)), Virta.command("bus", args));
    }

    private static int demo(String... args) {
        return Virta.run(Virta.command("demo", args));
    }

    private static int bench(String... args) {
        return Virta.run(Virta.command("bench", args));
    }

    @Test
    void everyBusCommandHasHelp() {
        for (String command : new String[] {"write", "read", "ls", "clean", "latency"}) {
            out.reset();
            assertEquals(0, bus(command, "--help"), command);
            assertTrue(out.toString().contains("usage: virta bus " + command), out.toString());
        }
        out.reset();
        assertEquals(0, bus("--help"));
        assertTrue(out.toString().contains("commands:"));
    }

    @Test
    void usageMistakesNameTheOptionAndExitWithTwo() {
        assertEquals(2, bus("write", "x.y", "--bogus", "1"));
        assertTrue(err.toString().contains("--bogus"), err.toString());
        err.reset();
        assertEquals(2, bus("write", "x.y", "--count", "many"));
        assertTrue(err.toString().contains("--count") && err.toString().contains("many"), err.toString());
        err.reset();
        assertEquals(2, bus("write", "x.y", "--type", "mpeg2"));
        assertTrue(err.toString().contains("mpeg2") && err.toString().contains("rgb24"), err.toString());
        err.reset();
        assertEquals(2, bus("read"));
        assertTrue(err.toString().contains("missing channel NAME"), err.toString());
        err.reset();
        assertEquals(2, bus("frobnicate"));
        assertTrue(err.toString().contains("unknown command 'frobnicate'"), err.toString());
    }

    /** Moved here from the bus module's ColorMetadataTest with the command line it checks. */
    @Test
    void theBusToolNamesAWrongColourOption() {
        String name = "t.color.tool." + ProcessHandle.current().pid();
        int status = bus("write", name, "--type", "yuv420p", "--color-range", "tv");
        assertEquals(2, status);
        assertTrue(err.toString().contains("--color-range") && err.toString().contains("'tv'"), err.toString());
        assertFalse(Files.exists(ChannelName.objectPath(name)), "nothing was created");
    }

    @Test
    void demoAndBenchHaveHelp() throws Exception {
        assertEquals(0, demo("--help"));
        assertEquals(0, bench("--help"));
        assertEquals(0, bench("bus", "--help"));
        assertEquals(2, bench("nothing"));
    }

    @Test
    void theDemoRunsTheWholePathAndEndsInOrder() throws Exception {
        String camera = "demotest" + ProcessHandle.current().pid();
        int[] status = {-1};
        Thread demo = Thread.ofPlatform().start(() -> status[0] = demo("--camera", camera, "--size",
                "320x240", "--rgb", "256x192", "--seconds", "6", "--no-python"));
        long lastCameraFrame = -1;
        int frames = 0;
        try (ChannelReader rgb = ChannelReader.builder(camera + ".rgb").expect(ChannelType.RGB24)
                .awaitWriter(Duration.ofSeconds(20)).open()) {
            while (frames < 30) {
                PullStatus s = rgb.pull(Duration.ofSeconds(5));
                assertTrue(s.hasFrame(), "frames flow through RTSP, decoding and scaling: " + s);
                assertEquals(256, rgb.frame().width());
                long cameraFrame = DemoPattern.decodeFrameNumberRgb24(rgb.frame().payload(), 256, 192);
                assertTrue(cameraFrame > lastCameraFrame, "the camera's burned-in counter advances: " + cameraFrame);
                lastCameraFrame = cameraFrame;
                frames++;
            }
        }
        demo.join(30_000);
        assertEquals(0, status[0]);
        for (String suffix : new String[] {".h264", ".yuv", ".rgb"}) {
            assertFalse(Files.exists(Path.of("/dev/shm/virta." + camera + suffix)), "the demo removes " + suffix);
        }
    }

    /** The ingest benchmark stays runnable (figures are not judged here). */
    @Test
    void theIngestBenchmarkRunsQuickly(@TempDir Path dir) throws Exception {
        System.setProperty("virta.home", Path.of("..").toAbsolutePath().normalize().toString());
        Path report = dir.resolve("ingest.md");
        assertEquals(0, bench("ingest", "--streams", "2", "--seconds", "1", "--warmup", "1", "--out",
                report.toString()));
        String text = Files.readString(report);
        for (String row : new String[] {"Virta producer (2 cameras", "ffmpeg -c copy", ".yuv (I420", ".rgb (RGB24"}) {
            assertTrue(text.contains(row), "report has '" + row + "':\n" + text);
        }
    }

    @Test
    void demoAndProducerOptionsAreChecked() throws Exception {
        assertEquals(2, demo("--size", "big"));
        assertEquals(2, demo("--size", "64x64"));
        assertEquals(2, demo("--camera", "bad/name", "--seconds", "1"));
        assertEquals(0, Virta.run("producer", "--help"));
        assertEquals(2, Virta.run("producer"));
        assertEquals(2, Virta.run("producer", "--config", "/nonexistent.yaml"));
    }

    /** The benchmark stays runnable: a quick run produces every table row (figures are not judged here). */
    @Test
    void theBusBenchmarkRunsQuickly(@TempDir Path dir) throws Exception {
        System.setProperty("virta.home", Path.of("..").toAbsolutePath().normalize().toString());
        Path report = dir.resolve("bench.md");
        assertEquals(0, bench("bus", "--quick", "--out", report.toString()));
        String text = Files.readString(report);
        for (String row : new String[] {"C → C (floor)", "Java → Java", "Java → Python", "bus, 1 reader process",
                "bus, 4 reader processes", "Java memcpy", "6,220,800 bytes"}) {
            assertTrue(text.contains(row), "report has '" + row + "':\n" + text);
        }
    }
}
