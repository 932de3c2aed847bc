package io.virta.viewer.layout;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** Every window the viewer opens. */
public record Layout(List<WindowLayout> windows) {
    public static final int DEFAULT_TILE_WIDTH = 640;
    public static final int DEFAULT_TILE_HEIGHT = 360;
    public static final int DEFAULT_GRID_WIDTH = 1280;
    public static final int DEFAULT_GRID_HEIGHT = 720;

    public Layout {
        windows = List.copyOf(windows);
    }

    /** The distinct streams, in order of first appearance: each is read and uploaded once, however often shown. */
    public List<StreamRef> streams() {
        LinkedHashSet<StreamRef> distinct = new LinkedHashSet<>();
        for (WindowLayout w : windows) {
            distinct.addAll(w.tiles());
        }
        return List.copyOf(distinct);
    }

    /** One window per stream, each stream {@code replicate} times. */
    public static Layout windowPerStream(List<StreamRef> streams, int replicate, int width, int height) {
        List<WindowLayout> windows = new ArrayList<>();
        for (int copy = 0; copy < replicate; copy++) {
            for (StreamRef s : streams) {
                String title = s + (replicate > 1 ? " #" + (copy + 1) : "");
                windows.add(new WindowLayout(title, width, height, null, null, false, 1, 1, List.of(s)));
            }
        }
        return new Layout(windows);
    }

    /** One window with a grid of every stream, the list repeated {@code replicate} times. */
    public static Layout grid(List<StreamRef> streams, int replicate, int width, int height, boolean fullscreen,
            int columns, int rows) {
        List<StreamRef> tiles = new ArrayList<>();
        for (int copy = 0; copy < replicate; copy++) {
            tiles.addAll(streams);
        }
        int c = columns > 0 ? columns : WindowLayout.columnsFor(tiles.size());
        int r = rows > 0 ? rows : WindowLayout.rowsFor(tiles.size(), c);
        return new Layout(List.of(new WindowLayout("Virta: " + tiles.size() + " tiles", width, height, null, null,
                fullscreen, c, r, tiles)));
    }
}
