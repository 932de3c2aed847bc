package io.virta.recorder.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * Which directory a store was opened as (its device and inode), so that a store deleted, or whose disk
 * was unmounted, is noticed instead of written around: without the check, a recorder would recreate
 * {@code cameras/CAMERA} under the same path, on whatever file system is mounted there now (the root
 * file system, for an unmounted disk), beside an index that no longer exists.
 *
 * <p>Checked before each new segment and at each sync, about once a second per camera: one
 * {@code stat}. Thread-safe (immutable).
 *
 * <pre>{@code
 * StoreIdentity identity = StoreIdentity.of(store);
 * ...
 * identity.verify();   // StoreMissingException: "store /mnt/a is gone (deleted, or its disk unmounted) ..."
 * }</pre>
 */
public final class StoreIdentity {
    private final Path directory;
    private final Object fileKey;

    private StoreIdentity(Path directory, Object fileKey) {
        this.directory = directory;
        this.fileKey = fileKey;
    }

    /** The identity of {@code directory} now. */
    public static StoreIdentity of(Path directory) throws IOException {
        return new StoreIdentity(directory, key(directory));
    }

    private static Object key(Path directory) throws IOException {
        return Files.readAttributes(directory, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** True when the store's path still leads to the directory it was opened as. */
    public boolean present() {
        try {
            return Objects.equals(fileKey, key(directory));
        } catch (IOException gone) {
            return false;
        }
    }

    /**
     * @throws StoreMissingException naming the store and what to do, when its path no longer leads to it
     */
    public void verify() throws StoreMissingException {
        if (!present()) {
            throw new StoreMissingException("store " + directory + " is gone (deleted, or its disk unmounted):"
                    + " recording into it is paused and nothing is written in its place. Remount the disk and"
                    + " recording resumes by itself; if the store was removed on purpose, restart the recorder"
                    + " to make a new one there.");
        }
    }

    public Path directory() {
        return directory;
    }
}
