package io.virta.viewer;

import io.virta.testkit.Xvfb;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The viewer process refuses what cannot work with one clear line and a non-zero status. */
class ViewerBadInputTest {
    @TempDir
    Path dir;

    @Test
    void aDisplayWithNoXServerIsNamedWithTheRemedy() throws Exception {
        int free = 77;
        while (Files.exists(Path.of("/tmp/.X" + free + "-lock")) || Files.exists(Path.of("/tmp/.X11-unix/X" + free))) {
            free++;
        }
        try (ViewerProcess viewer = ViewerProcess.start("channel:nothing.yuv", "--display", ":" + free)) {
            assertEquals(1, viewer.awaitExit(Duration.ofSeconds(30)));
            assertTrue(viewer.output().contains("error: cannot open X display ':" + free + "'")
                    && viewer.output().contains("Xvfb"), viewer.output());
        }
    }

    @Test
    void noDisplayAtAllIsNamed() throws Exception {
        try (ViewerProcess viewer = ViewerProcess.start("channel:nothing.yuv")) {   // DISPLAY is removed
            assertEquals(1, viewer.awaitExit(Duration.ofSeconds(30)));
            assertTrue(viewer.output().contains("DISPLAY is not set and --display was not given"), viewer.output());
        }
        try (ViewerProcess viewer = ViewerProcess.start("channel:nothing.yuv", "--display", "screen two")) {
            assertEquals(1, viewer.awaitExit(Duration.ofSeconds(30)));
            assertTrue(viewer.output().contains("is not an X display name like :0"), viewer.output());
        }
    }

    @Test
    void aBadLayoutFileNamesTheFileAndField() throws Exception {
        Path layout = Files.writeString(dir.resolve("wall.yaml"), "windows:\n  - tiles: [lobby]\n    grid: 2by2\n");
        try (ViewerProcess viewer = ViewerProcess.start("--layout", layout.toString())) {
            assertEquals(2, viewer.awaitExit(Duration.ofSeconds(30)));
            assertTrue(viewer.output().contains("error: layout file " + layout + ": windows[0].grid: '2by2' is not"
                    + " COLUMNSxROWS"), viewer.output());
        }
    }

    @Test
    void aChannelThatIsNotYuvIsRefused() throws Exception {
        String name = "viewer-rgb-" + ProcessHandle.current().pid();
        try (Xvfb x = Xvfb.forTests(640, 480);
             ChannelWriter rgb = ChannelWriter.create(ChannelSpec.rgb24(name, 64, 48));
             ViewerProcess viewer = ViewerProcess.start("channel:" + name, "--display", x.display())) {
            assertEquals(1, viewer.awaitExit(Duration.ofSeconds(30)));
            assertTrue(viewer.output().contains("error: ") && viewer.output().contains(name)
                    && viewer.output().contains("YUV420P"), viewer.output());
        }
    }
}
