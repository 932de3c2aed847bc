package io.virta.producer.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the producer module's directory, whether tests run from Maven, the repository root or an IDE. */
final class ModulePaths {
    private static final Path PEERS = Path.of("src", "test", "peers");

    private ModulePaths() {}

    static Path moduleDirectory() {
        // Surefire sets basedir to the module; other launchers usually start in the module or the repository root.
        String basedir = System.getProperty("basedir");
        Path[] candidates = {
            basedir == null ? null : Path.of(basedir),
            Path.of("").toAbsolutePath(),
            Path.of("").toAbsolutePath().resolve("producer"),
        };
        for (Path candidate : candidates) {
            if (candidate != null && Files.isDirectory(candidate.resolve(PEERS))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("cannot find the producer module (looked for " + PEERS + " under "
                + "${basedir}, the working directory and ./producer)");
    }

    static Path peersDirectory() {
        return moduleDirectory().resolve(PEERS);
    }
}
