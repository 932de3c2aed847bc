package io.virta.recorder.index;

import io.virta.bus.PixelFormat;

/**
 * One segment as the index knows it (docs/recording-format.md section 7.1).
 *
 * @param file          the segment file, relative to the store directory
 * @param startMicros   capture time of its first frame
 * @param endMicros     capture time of its last frame known to the index
 * @param recordsEnd    where its records end (bytes of the file in use, header included)
 * @param syncedOffset  records before this offset were forced to the disk (section 5.2)
 */
public record SegmentRow(long id, String camera, String file, PixelFormat codec, int width, int height,
                         long startMicros, long endMicros, long recordsEnd, long syncedOffset, SegmentState state) {
}
