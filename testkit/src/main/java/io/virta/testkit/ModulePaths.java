package io.virta.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the repository and its test peers ({@code testkit/peers}), whether tests run from Maven (in any
 * module), the repository root or an IDE.
 */
public final class ModulePaths {
    private static final Path PEERS = Path.of("testkit", "peers");

    private ModulePaths() {}

    /** The repository root: the nearest directory at or above ${basedir} or the working directory that has testkit/peers. */
    public static Path repository() {
        // Surefire sets basedir to the module; other launchers usually start in a module or the repository root.
        String basedir = System.getProperty("basedir");
        for (Path start : new Path[] {basedir == null ? null : Path.of(basedir), Path.of("")}) {
            for (Path dir = start == null ? null : start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
                if (Files.isDirectory(dir.resolve(PEERS))) {
                    return dir;
                }
            }
        }
        throw new IllegalStateException("cannot find the repository (looked for " + PEERS + " at and above "
                + "${basedir} and the working directory)");
    }

    /** Where generated test clips are kept between runs: testkit/target/test-clips. */
    public static Path clipCache() {
        return repository().resolve("testkit").resolve("target").resolve("test-clips");
    }

    public static Path peersDirectory() {
        return repository().resolve(PEERS);
    }
}
