package io.virta.recorder.store;

/** What {@link CameraWriter#append} did with a frame. */
public enum AppendOutcome {
    /** Written to the segment being written. */
    WRITTEN,
    /** Written as the first frame of a new segment (section 5.3 says why one started). */
    STARTED_SEGMENT,
    /**
     * Not written: no segment could start with it, because it is no keyframe and the stream has just
     * begun or changed its parameters. Counted in {@link CameraWriter#framesSkipped()}.
     */
    SKIPPED_UNTIL_KEYFRAME
}
