package io.virta.bus;

/** What {@link ChannelReader#pull(long)} found. Python's reader returns the same names. */
public enum PullStatus {
    /** A frame is ready in {@link ChannelReader#frame()}, and none was lost before it. */
    FRAME,
    /**
     * A frame is ready, but {@link Frame#lost()} frames before it were lost: the reader fell more than a
     * ring behind, or the writer overwrote the previous frame while the caller still held it.
     */
    OVERRUN,
    /** Nothing arrived within the timeout. */
    TIMEOUT,
    /** The writer closed the channel in order. A later pull re-attaches if a new writer appears. */
    END_OF_STREAM,
    /** A new writer took over the channel; the reader has re-attached and continues from its first frame. */
    WRITER_RESTARTED,
    /** The writer's process died or stopped its heartbeat. A later pull re-attaches when a new writer appears. */
    WRITER_DIED;

    /** True when {@link ChannelReader#frame()} holds a frame. */
    public boolean hasFrame() {
        return this == FRAME || this == OVERRUN;
    }
}
