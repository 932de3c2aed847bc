package io.virta.recorder.retention;

/**
 * One segment retention deleted.
 *
 * @param startMicros capture time of its first frame
 * @param endMicros   capture time of its last frame
 * @param bytes       its file size, which the deletion freed
 * @param eventVideo  true when it was still held by an event rule (a byte budget took it after all
 *                    ordinary video of its scope)
 */
public record Deletion(String camera, long segmentId, long startMicros, long endMicros, long bytes,
                       DeletionReason reason, boolean eventVideo) {
}
