package io.virta.recorder.format;

import java.io.IOException;

/**
 * A segment file whose header this version cannot use. The message names the file and says what to
 * do; recovery moves such files aside rather than deleting them (docs/recording-format.md section 6).
 */
public final class SegmentFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public SegmentFormatException(String message) {
        super(message);
    }
}
