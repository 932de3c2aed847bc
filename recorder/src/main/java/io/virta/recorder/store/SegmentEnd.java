package io.virta.recorder.store;

/** Why a {@link SegmentReader} stopped (docs/recording-format.md section 4.3). */
public enum SegmentEnd {
    /** Not at the end yet. */
    NONE,
    /** The seal record: the writer closed the segment in order. */
    SEALED,
    /** Zero bytes or the end of the file where a record would start: a segment still open, or cut by a crash. */
    UNWRITTEN,
    /** A record that is no record (bad magic, impossible length or failed checksum), and no resync past it. */
    DAMAGED
}
