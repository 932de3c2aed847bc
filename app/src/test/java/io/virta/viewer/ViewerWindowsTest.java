package io.virta.viewer;

import io.virta.testkit.Xvfb;

import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The viewer as a process on a real X server (Xvfb, Mesa llvmpipe), reading real bus channels, checked
 * through screenshots of the screen: colours where they belong, grids, replicas, enlarging a tile, and
 * "no signal" followed by video again.
 */
class ViewerWindowsTest {
    private static final int TOLERANCE = 8;
    private static Xvfb x;

    @BeforeAll
    static void startX() throws Exception {
        x = Xvfb.forTests(1920, 1080);
    }

    @AfterAll
    static void stopX() throws Exception {
        if (x != null) {
            x.close();
        }
    }

    private static String channel(String what) {
        return "viewer-" + what + "-" + ProcessHandle.current().pid();
    }

    @Test
    void untaggedColourBarsShowTheirColoursWithTheMatrixOfTheirSize() throws Exception {
        // 1280x720 is shown with BT.709, 640x480 with BT.601, both limited range (neither says which).
        showsColourBars(ColorMatrix.UNSPECIFIED, ColorRange.UNSPECIFIED, ColorMatrix.UNSPECIFIED, ColorRange.UNSPECIFIED);
    }

    @Test
    void taggedMatrixAndRangeOverrideWhatTheSizeSuggests() throws Exception {
        showsColourBars(ColorMatrix.BT601, ColorRange.FULL, ColorMatrix.BT709, ColorRange.FULL);
        showsColourBars(ColorMatrix.BT2020, ColorRange.LIMITED, ColorMatrix.BT709, ColorRange.LIMITED);
    }

    private void showsColourBars(ColorMatrix hdMatrix, ColorRange hdRange, ColorMatrix sdMatrix, ColorRange sdRange)
            throws Exception {
        String hd = channel("hd");
        String sd = channel("sd");
        try (ColorBars a = ColorBars.start(hd, 1280, 720, 25, hdMatrix, hdRange);
             ColorBars b = ColorBars.start(sd, 640, 480, 25, sdMatrix, sdRange);
             ViewerProcess viewer = ViewerProcess.start("channel:" + hd, "channel:" + sd, "--layout", "windows",
                     "--size", "640x360", "--display", x.display(), "--hub", "none")) {
            viewer.awaitLine(l -> l.startsWith("window 1 "), Duration.ofSeconds(20));
            // Window 0: 16:9 fills 640x360, bars 80 px wide. Window 1 at x=640: 4:3 pillarboxed to 480x360 from x=80.
            List<int[]> points = new ArrayList<>();
            List<int[]> expected = new ArrayList<>();
            for (int bar = 0; bar < 8; bar++) {
                points.add(new int[] {bar * 80 + 40, 180});
                expected.add(ColorBars.BARS[bar]);
                points.add(new int[] {640 + 80 + bar * 60 + 30, 180});
                expected.add(ColorBars.BARS[bar]);
            }
            points.add(new int[] {640 + 40, 180});   // the pillarbox stays black
            expected.add(new int[] {8, 8, 8});
            awaitColours(points, expected, "colour bars (" + hdMatrix + "/" + hdRange + " at 720p, " + sdMatrix + "/"
                    + sdRange + " at 480p)", viewer);
        }
    }

    @Test
    void gridOfReplicasShowsEveryStreamTwiceAndATileCanBeEnlarged() throws Exception {
        String red = channel("red");
        String blue = channel("blue");
        int[] redRgb = {190, 50, 40};
        int[] blueRgb = {40, 60, 190};
        try (ColorBars a = ColorBars.solid(red, 1280, 720, 25, redRgb);
             ColorBars b = ColorBars.solid(blue, 1280, 720, 25, blueRgb);
             ViewerProcess viewer = ViewerProcess.start("channel:" + red, "channel:" + blue, "--replicate", "2",
                     "--size", "640x360", "--position", "0,0", "--display", x.display(), "--hub", "none")) {
            String window = viewer.awaitLine(l -> l.startsWith("window 0 "), Duration.ofSeconds(20));
            assertTrue(window.contains("4 tiles in 2x2"), window);
            // Tiles in order red, blue, red, blue, row by row.
            awaitColours(List.of(new int[] {160, 90}, new int[] {480, 90}, new int[] {160, 270}, new int[] {480, 270}),
                    List.of(redRgb, blueRgb, redRgb, blueRgb), "2x2 grid of replicas", viewer);
            // A click on the top-right tile fills the window with it; another click goes back to the grid.
            xdotool("mousemove", "480", "90", "click", "1");
            awaitColours(List.of(new int[] {60, 40}, new int[] {580, 320}), List.of(blueRgb, blueRgb), "enlarged tile",
                    viewer);
            xdotool("mousemove", "480", "90", "click", "1");
            awaitColours(List.of(new int[] {160, 90}, new int[] {160, 270}), List.of(redRgb, redRgb), "grid again", viewer);
            // Key 1 enlarges the first tile, Escape goes back.
            xdotool("mousemove", "300", "200", "key", "1");
            awaitColours(List.of(new int[] {580, 320}), List.of(redRgb), "tile 1 by key", viewer);
            xdotool("key", "Escape");
            awaitColours(List.of(new int[] {480, 270}), List.of(blueRgb), "grid after Escape", viewer);
            int status = viewer.terminate();
            assertTrue(status == 143 || status == 0, "SIGTERM ends the viewer cleanly (JVM status 143): " + status);
            // Decode once, render many: one reader (and one upload) per channel, however many tiles show it.
            long summaries = viewer.lines().stream().filter(l -> l.startsWith("summary ")).count();
            assertEquals(2, summaries, "status " + status + "\n" + viewer.output());
        }
    }

    @Test
    void silentStreamShowsNoSignalThenVideoWhenANewWriterComes() throws Exception {
        String name = channel("restart");
        int[] green = {40, 180, 60};
        int[] magenta = {190, 50, 170};
        ColorBars first = ColorBars.solid(name, 1280, 720, 25, green);
        try (ViewerProcess viewer = ViewerProcess.start("channel:" + name, "--no-signal-seconds", "0.5",
                "--position", "0,0", "--display", x.display(), "--hub", "none")) {
            viewer.awaitLine(l -> l.startsWith("window 0 "), Duration.ofSeconds(20));
            awaitColours(List.of(new int[] {320, 180}), List.of(green), "video", viewer);
            first.close();
            awaitColours(List.of(new int[] {40, 30}, new int[] {600, 330}), List.of(Viewer.NO_SIGNAL_RGB,
                    Viewer.NO_SIGNAL_RGB), "no signal", viewer);
            try (ColorBars second = ColorBars.solid(name, 1280, 720, 25, magenta)) {
                awaitColours(List.of(new int[] {320, 180}), List.of(magenta), "video from the new writer", viewer);
            }
        } finally {
            first.close();
        }
    }

    private static void xdotool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("xdotool"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DISPLAY", x.display());
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "xdotool " + String.join(" ", args) + ": " + out);
    }

    /** Grabs the screen until every point shows its colour (within tolerance), or fails after 20 s. */
    static void awaitColours(List<int[]> points, List<int[]> expected, String what, ViewerProcess viewer)
            throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String mismatch = "";
        while (System.nanoTime() < end) {
            Screen screen = Screen.grab(x.display(), 0, 0, 1280, 720);
            mismatch = "";
            for (int i = 0; i < points.size(); i++) {
                int[] p = points.get(i);
                int[] actual = screen.mean(p[0], p[1], 2);
                if (!Screen.near(actual, expected.get(i), TOLERANCE)) {
                    mismatch += " at " + p[0] + "," + p[1] + ": " + Screen.text(actual) + " instead of "
                            + Screen.text(expected.get(i)) + ";";
                }
            }
            if (mismatch.isEmpty()) {
                return;
            }
            Thread.sleep(200);
        }
        fail(what + ": the screen shows" + mismatch + "\nviewer output:\n" + viewer.output());
    }
}
