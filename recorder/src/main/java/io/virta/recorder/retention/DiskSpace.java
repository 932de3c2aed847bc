package io.virta.recorder.retention;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How many bytes are free for the store on its disk, for {@code keepFree}. */
@FunctionalInterface
public interface DiskSpace {
    /** The file system's usable space for this user ({@code FileStore.getUsableSpace}). */
    DiskSpace FILE_STORE = directory -> Files.getFileStore(directory).getUsableSpace();

    long usableBytes(Path storeDirectory) throws IOException;
}
