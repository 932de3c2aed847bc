package io.virta.recorder.export;

import java.nio.file.Path;

/**
 * An export written to disk: the video, its manifest ({@code FILE.json}) and the checksums of both
 * ({@code FILE.sha256}, in the format {@code sha256sum -c FILE.sha256} checks).
 */
public record ExportResult(Path file, Path manifest, Path checksums, String sha256, long bytes, ExportSummary summary) {
}
