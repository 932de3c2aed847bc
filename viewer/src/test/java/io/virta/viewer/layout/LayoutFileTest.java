package io.virta.viewer.layout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayoutFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("wall.yaml"), yaml);
    }

    @Test
    void readsWindowsGridsReplicasAndChannels() throws IOException {
        Layout layout = LayoutFile.read(write("""
                windows:
                  - title: Entrance
                    size: 1280x720
                    position: 0,0
                    grid: 3x2
                    tiles: [lobby, door, "channel:yard.yuv"]
                  - tiles: [lobby]
                    replicate: 2
                """), 1);
        assertEquals(2, layout.windows().size());
        WindowLayout entrance = layout.windows().getFirst();
        assertEquals("Entrance", entrance.title());
        assertEquals(3, entrance.columns());
        assertEquals(2, entrance.rows());
        assertEquals(0, entrance.x());
        assertEquals(List.of(StreamRef.camera("lobby"), StreamRef.camera("door"), StreamRef.channel("yard.yuv")),
                entrance.tiles());
        WindowLayout second = layout.windows().get(1);
        assertEquals(2, second.tiles().size(), "replicate 2");
        assertEquals(2, second.columns());
        assertEquals(null, second.x(), "placed automatically");
        assertEquals(3, layout.streams().size(), "lobby is read once, however often it is shown");
        assertEquals("yard", entrance.tiles().get(2).camera());
    }

    @Test
    void theReplicateFlagMultipliesEveryWindow() throws IOException {
        Layout layout = LayoutFile.read(write("windows: [{tiles: [a, b]}]"), 3);
        assertEquals(6, layout.windows().getFirst().tiles().size());
        assertEquals(3, layout.windows().getFirst().columns());
    }

    @Test
    void mistakesNameTheFieldAndTheRemedy() throws IOException {
        assertError("windows: [{tiles: [a], grid: 2by2}]", "windows[0].grid", "COLUMNSxROWS");
        assertError("windows: [{tiles: [a, b, c], grid: 1x2}]", "windows[0].grid", "do not fit");
        assertError("windows: [{grid: 2x2}]", "windows[0].tiles", "missing");
        assertError("windows: [{tiles: [a]}, {tiles: [], title: x}]", "windows[1].tiles", "empty");
        assertError("windows: [{tiles: [a], sise: 10x10}]", "windows[0].sise", "unknown key");
        assertError("windows: [{tiles: [a], size: 10x10}]", "windows[0].size", "at least 16x16");
        assertError("windows: [{tiles: [a], position: left}]", "windows[0].position", "X,Y");
        assertError("windows: [{tiles: [a], replicate: 0}]", "windows[0].replicate", "1 to 256");
        assertError("windows: [{tiles: [a], fullscreen: yes please}]", "windows[0].fullscreen", "true or false");
        assertError("windows: [{tiles: [1]}]", "windows[0].tiles[0]", "not a camera name");
        assertError("cameras: [a]", "cameras", "only 'windows'");
        assertError("windows: {tiles: [a]", "not valid YAML", "");
        assertError("- a\n- b", "must be a mapping", "");
    }

    @Test
    void aMissingFileSaysSo() {
        LayoutException e = assertThrows(LayoutException.class, () -> LayoutFile.read(dir.resolve("none.yaml"), 1));
        assertTrue(e.getMessage().contains("none.yaml") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    private void assertError(String yaml, String field, String remedy) throws IOException {
        Path file = write(yaml);
        LayoutException e = assertThrows(LayoutException.class, () -> LayoutFile.read(file, 1), yaml);
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(field)
                && e.getMessage().contains(remedy), yaml + " -> " + e.getMessage());
    }
}
