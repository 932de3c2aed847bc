package io.virta.viewer.layout;

import java.util.List;

/**
 * One window: where it goes, how big it is, and the tiles it shows in a grid of {@code columns} x
 * {@code rows}, filled row by row.
 *
 * @param x,y top-left corner on the screen; null places the window automatically
 */
public record WindowLayout(String title, int width, int height, Integer x, Integer y, boolean fullscreen,
        int columns, int rows, List<StreamRef> tiles) {

    public WindowLayout {
        tiles = List.copyOf(tiles);
        if (tiles.isEmpty()) {
            throw new IllegalArgumentException("a window needs at least one tile");
        }
        if (columns * rows < tiles.size()) {
            throw new IllegalArgumentException(tiles.size() + " tiles do not fit a " + columns + "x" + rows + " grid");
        }
    }

    /** The most nearly square grid, wider than tall, that holds {@code tiles} tiles. */
    public static int columnsFor(int tiles) {
        return (int) Math.ceil(Math.sqrt(tiles));
    }

    public static int rowsFor(int tiles, int columns) {
        return (tiles + columns - 1) / columns;
    }

    public WindowLayout at(int newX, int newY) {
        return new WindowLayout(title, width, height, newX, newY, fullscreen, columns, rows, tiles);
    }
}
