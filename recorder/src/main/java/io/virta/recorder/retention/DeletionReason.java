package io.virta.recorder.retention;

/** Why retention deleted a segment (docs/recording.md, "Retention"). */
public enum DeletionReason {
    /** Ordinary video older than {@code maxAge}, or event video past its rule's {@code keep}. */
    MAX_AGE,
    /** Its camera was over the camera's {@code maxBytes}. */
    CAMERA_BUDGET,
    /** The store was over its {@code maxBytes}. */
    STORE_BUDGET,
    /** The disk had less than {@code keepFree} bytes free. */
    KEEP_FREE
}
