package io.virta.recorder.retention;

import java.util.Map;

/**
 * What retention did since the service started, for status.
 *
 * @param runs            retention runs
 * @param segmentsDeleted segments deleted, all cameras
 * @param bytesDeleted    bytes freed, all cameras
 * @param cameras         the same per camera
 * @param warningRuns     runs that ended with a budget warning or paused
 * @param deleteFailures  segment files it could not delete (the disk refused; see the log)
 */
public record RetentionTotals(long runs, long segmentsDeleted, long bytesDeleted, Map<String, CameraTotals> cameras,
                              long warningRuns, long deleteFailures) {
    public RetentionTotals {
        cameras = Map.copyOf(cameras);
    }

    /** Per camera: segments deleted and bytes freed since the service started. */
    public record CameraTotals(long segmentsDeleted, long bytesDeleted) {
    }
}
