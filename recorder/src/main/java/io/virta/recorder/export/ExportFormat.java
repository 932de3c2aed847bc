package io.virta.recorder.export;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The containers an export writes (docs/recording-format.md section 11). */
public enum ExportFormat {
    /** ISO base media file, moov before mdat, frame-accurate start by an edit list (section 11.2). */
    MP4("video/mp4", "mp4"),
    /** Matroska, Cues at the end, starting at the keyframe before the range (section 11.5). */
    MKV("video/x-matroska", "mkv");

    private final String contentType;
    private final String extension;

    ExportFormat(String contentType, String extension) {
        this.contentType = contentType;
        this.extension = extension;
    }

    /** The HTTP Content-Type. */
    public String contentType() {
        return contentType;
    }

    /** The file name extension without the dot. */
    public String extension() {
        return extension;
    }

    /** The format a file name asks for by its extension ({@code .mp4}, {@code .mkv}, any case). */
    public static Optional<ExportFormat> ofFileName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (ExportFormat format : values()) {
            if (name.endsWith("." + format.extension)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }
}
