package io.virta.recorder.format;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The names inside a store directory (docs/recording-format.md section 2).
 *
 * <pre>
 * STORE/
 *   virta-store.lock                    section 2.1: held by the one recorder using the store
 *   index.sqlite (-wal, -shm)           section 7: rebuildable from the segment files
 *   cameras/CAMERA/SEGMENTID.vseg       sections 3 and 4: SEGMENTID is 16 lowercase hex digits
 *   damaged/                            section 6: files recovery could not read, moved aside, never deleted
 * </pre>
 *
 * Stateless; all methods are pure functions of their arguments.
 */
public final class StoreLayout {
    public static final String LOCK_FILE = "virta-store.lock";
    public static final String INDEX_FILE = "index.sqlite";
    public static final String CAMERAS_DIRECTORY = "cameras";
    public static final String DAMAGED_DIRECTORY = "damaged";
    public static final String SEGMENT_SUFFIX = ".vseg";
    /**
     * A segment covers at most this much capture time (section 5.3): the writer starts a new one sooner,
     * and the index's range queries look back only this far for a segment that overlaps a range.
     */
    public static final long MAX_SEGMENT_MICROS = 3_600_000_000L;

    private static final Pattern SEGMENT_NAME = Pattern.compile("[0-9a-f]{16}\\" + SEGMENT_SUFFIX);

    private StoreLayout() {
    }

    public static Path lockFile(Path store) {
        return store.resolve(LOCK_FILE);
    }

    public static Path indexFile(Path store) {
        return store.resolve(INDEX_FILE);
    }

    public static Path camerasDirectory(Path store) {
        return store.resolve(CAMERAS_DIRECTORY);
    }

    public static Path damagedDirectory(Path store) {
        return store.resolve(DAMAGED_DIRECTORY);
    }

    public static Path cameraDirectory(Path store, String camera) {
        return camerasDirectory(store).resolve(camera);
    }

    /** The segment file's path relative to the store, as the index stores it. */
    public static String relativeSegmentPath(String camera, long segmentId) {
        return CAMERAS_DIRECTORY + "/" + camera + "/" + HexFormat.of().toHexDigits(segmentId) + SEGMENT_SUFFIX;
    }

    /** The segment id a file name stands for, or empty for a name that is no segment's. */
    public static OptionalLong segmentIdOf(String fileName) {
        if (!SEGMENT_NAME.matcher(fileName).matches()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(HexFormat.fromHexDigitsToLong(fileName, 0, 16));
    }
}
