package io.virta.recorder.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Preallocation reserves blocks (st_blocks), not just a file size, on the disk and on tmpfs (section 2.3). */
class PreallocatorTest {
    private static final long LENGTH = 8L << 20;

    @TempDir
    Path directory;

    @Test
    void blocksAreReservedOnDiskAndOnTmpfs() throws Exception {
        assertTrue(Preallocator.isNative(), "posix_fallocate is reachable through FFM");
        List<Path> places = new ArrayList<>(List.of(directory));
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            places.add(Files.createTempDirectory(shm, "virta-recorder-test"));
        }
        for (Path place : places) {
            Path file = place.resolve("segment.vseg");
            try {
                Preallocator.preallocate(file, LENGTH);
                assertEquals(LENGTH, Files.size(file));
                assertTrue(allocatedBytes(file) >= LENGTH, file + ": " + allocatedBytes(file) + " bytes allocated");
                assertTrue(isAllZero(file));
            } finally {
                Files.deleteIfExists(file);
                if (!place.equals(directory)) {
                    Files.deleteIfExists(place);
                }
            }
        }
    }

    private static long allocatedBytes(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String[] fields = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
        assertEquals(0, stat.waitFor());
        return Long.parseLong(fields[0]) * Long.parseLong(fields[1]);
    }

    private static boolean isAllZero(Path file) throws Exception {
        for (byte b : Files.readAllBytes(file)) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
