package io.virta.viewer.layout;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a layout file (docs/viewer.md, "Layout files"):
 * <pre>
 * windows:
 *   - title: Entrance          # optional
 *     size: 1280x720           # optional (one tile: 640x360, more: 1280x720)
 *     position: 0,0            # optional (placed automatically)
 *     fullscreen: false        # optional: the whole screen, no border
 *     grid: 2x2                # optional: COLUMNSxROWS (as square as fits)
 *     replicate: 1             # optional: the tile list this many times
 *     tiles: [lobby, door, channel:yard.yuv]
 * </pre>
 * Every mistake is reported with the file and the field, e.g. {@code windows[1].grid}.
 */
public final class LayoutFile {
    private static final Set<String> WINDOW_KEYS = Set.of("title", "size", "position", "fullscreen", "grid",
            "replicate", "tiles");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})\\s*x\\s*(\\d{1,5})");
    private static final Pattern POSITION = Pattern.compile("(-?\\d{1,5})\\s*,\\s*(-?\\d{1,5})");
    private static final int MAX_TILES = 256;

    private final Path path;

    private LayoutFile(Path path) {
        this.path = path;
    }

    /**
     * @param replicate each window's tiles repeated this many times more (the --replicate flag), 1 for none
     */
    public static Layout read(Path path, int replicate) {
        Object root;
        try (Reader reader = Files.newBufferedReader(path)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (NoSuchFileException e) {
            throw new LayoutException("layout file " + path + " does not exist: check the path given to --layout");
        } catch (IOException e) {
            throw new LayoutException("cannot read layout file " + path + ": " + e.getMessage());
        } catch (YAMLException e) {
            throw new LayoutException("layout file " + path + " is not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse("") + " (see docs/viewer.md for the format)");
        }
        return new LayoutFile(path).parse(root, replicate);
    }

    private Layout parse(Object root, int replicate) {
        if (!(root instanceof Map<?, ?> top)) {
            throw error("", "the file must be a mapping with a 'windows' list, e.g.\nwindows:\n  - tiles: [lobby, door]");
        }
        for (Object key : top.keySet()) {
            if (!"windows".equals(key)) {
                throw error(String.valueOf(key), "unknown key; a layout file has only 'windows'");
            }
        }
        if (!(top.get("windows") instanceof List<?> list) || list.isEmpty()) {
            throw error("windows", "must be a list of at least one window, each with 'tiles'");
        }
        List<WindowLayout> windows = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            windows.add(window("windows[" + i + "]", list.get(i), replicate));
        }
        return new Layout(windows);
    }

    private WindowLayout window(String at, Object node, int extraReplicate) {
        if (!(node instanceof Map<?, ?> map)) {
            throw error(at, "must be a mapping with at least 'tiles', e.g. {tiles: [lobby]}");
        }
        for (Object key : map.keySet()) {
            if (!WINDOW_KEYS.contains(String.valueOf(key))) {
                throw error(at + "." + key, "unknown key; a window has " + String.join(", ", WINDOW_KEYS.stream().sorted().toList()));
            }
        }
        List<StreamRef> listed = tiles(at + ".tiles", map.get("tiles"));
        int replicate = positive(at + ".replicate", map.get("replicate"), 1) * extraReplicate;
        List<StreamRef> tiles = new ArrayList<>();
        for (int copy = 0; copy < replicate; copy++) {
            tiles.addAll(listed);
        }
        if (tiles.size() > MAX_TILES) {
            throw error(at, tiles.size() + " tiles (with replicate) is more than " + MAX_TILES + " in one window");
        }
        int columns = WindowLayout.columnsFor(tiles.size());
        int rows = WindowLayout.rowsFor(tiles.size(), columns);
        Object grid = map.get("grid");
        if (grid != null) {
            Matcher m = SIZE.matcher(String.valueOf(grid).strip());
            if (!m.matches() || Integer.parseInt(m.group(1)) == 0 || Integer.parseInt(m.group(2)) == 0) {
                throw error(at + ".grid", "'" + grid + "' is not COLUMNSxROWS, e.g. 3x2");
            }
            columns = Integer.parseInt(m.group(1));
            rows = Integer.parseInt(m.group(2));
            if (columns * rows < tiles.size()) {
                throw error(at + ".grid", tiles.size() + " tiles do not fit a " + grid + " grid: make it larger or"
                        + " leave 'grid' out");
            }
        }
        boolean single = tiles.size() == 1;
        int width = single ? Layout.DEFAULT_TILE_WIDTH : Layout.DEFAULT_GRID_WIDTH;
        int height = single ? Layout.DEFAULT_TILE_HEIGHT : Layout.DEFAULT_GRID_HEIGHT;
        Object size = map.get("size");
        if (size != null) {
            Matcher m = SIZE.matcher(String.valueOf(size).strip());
            if (!m.matches() || Integer.parseInt(m.group(1)) < 16 || Integer.parseInt(m.group(2)) < 16) {
                throw error(at + ".size", "'" + size + "' is not WIDTHxHEIGHT of at least 16x16, e.g. 1280x720");
            }
            width = Integer.parseInt(m.group(1));
            height = Integer.parseInt(m.group(2));
        }
        Integer x = null;
        Integer y = null;
        Object position = map.get("position");
        if (position != null) {
            Matcher m = POSITION.matcher(String.valueOf(position).strip());
            if (!m.matches()) {
                throw error(at + ".position", "'" + position + "' is not X,Y in screen pixels, e.g. 0,0");
            }
            x = Integer.parseInt(m.group(1));
            y = Integer.parseInt(m.group(2));
        }
        Object fullscreen = map.get("fullscreen");
        if (fullscreen != null && !(fullscreen instanceof Boolean)) {
            throw error(at + ".fullscreen", "'" + fullscreen + "' is not true or false");
        }
        Object title = map.get("title");
        String name = title == null ? tiles.getFirst().toString() + (tiles.size() > 1 ? " +" + (tiles.size() - 1) : "")
                : String.valueOf(title);
        return new WindowLayout(name, width, height, x, y, Boolean.TRUE.equals(fullscreen), columns, rows, tiles);
    }

    private List<StreamRef> tiles(String at, Object node) {
        if (node == null) {
            throw error(at, "missing: list the cameras to show, e.g. tiles: [lobby, door]");
        }
        List<?> entries = node instanceof List<?> l ? l : List.of(node);
        if (entries.isEmpty()) {
            throw error(at, "is empty: list at least one camera");
        }
        List<StreamRef> tiles = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Object entry = entries.get(i);
            if (!(entry instanceof String s) || s.isBlank()) {
                throw error(at + "[" + i + "]", "'" + entry + "' is not a camera name (or channel:NAME)");
            }
            tiles.add(StreamRef.parse(s));
        }
        return tiles;
    }

    private int positive(String at, Object node, int fallback) {
        if (node == null) {
            return fallback;
        }
        if (!(node instanceof Integer n) || n < 1 || n > MAX_TILES) {
            throw error(at, "'" + node + "' is not a whole number from 1 to " + MAX_TILES);
        }
        return n;
    }

    private LayoutException error(String field, String message) {
        return new LayoutException("layout file " + path + (field.isEmpty() ? "" : ": " + field) + ": " + message);
    }
}
