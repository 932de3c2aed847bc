package io.virta.viewer.feed;

/** Where a stream's feed stands; the tiles show it while no picture is shown. */
public enum FeedState {
    /** Looking up the camera's channel, or waiting for the producer to answer. */
    CONNECTING,
    /** Attached to the channel and reading it. */
    STREAMING,
    /** The channel's writer went away (a producer restart, a camera removed); waiting for a new one. */
    WAITING_FOR_WRITER,
    /** Stopped for a reason retrying cannot fix; {@link StreamFeed#failure()} says which. */
    FAILED
}
