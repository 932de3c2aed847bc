package io.virta.recorder.index;

/**
 * Where a keyframe lies: its segment file (relative to the store), the record's offset in it, and its
 * capture time. A reader seeks there and scans at most one GOP to reach any later moment.
 */
public record KeyframePosition(long segmentId, String file, long offset, long captureMicros) {
}
