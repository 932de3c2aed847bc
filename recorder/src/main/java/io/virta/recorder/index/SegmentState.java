package io.virta.recorder.index;

/** A segment's state in the index (docs/recording-format.md section 7.1, column {@code state}). */
public enum SegmentState {
    /** Being written, or left open by a crash: recovery checks its tail. */
    OPEN(0),
    /** Sealed by its writer or by recovery: never written again. */
    SEALED(1);

    public final int code;

    SegmentState(int code) {
        this.code = code;
    }

    static SegmentState ofCode(int code) {
        return code == SEALED.code ? SEALED : OPEN;
    }
}
