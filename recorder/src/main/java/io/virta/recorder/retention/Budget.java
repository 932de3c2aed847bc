package io.virta.recorder.retention;

/** The byte budgets retention keeps (docs/recording.md, "Retention"). */
public enum Budget {
    /** A camera's own {@code maxBytes}. */
    CAMERA_MAX_BYTES,
    /** The store's {@code maxBytes}, over all its cameras. */
    STORE_MAX_BYTES,
    /** {@code keepFree}: bytes that must stay free on the store's disk. */
    KEEP_FREE
}
