package io.virta.recorder.ingest;

/** Where a camera's {@link ChannelRecorder} stands, for status lines and tests. */
public enum RecordingState {
    /** Not started yet. */
    STARTING,
    /** The camera's encoded channel does not exist yet, or its writer ended or died: waiting for one. */
    WAITING_FOR_WRITER,
    /** Reading the channel and writing the store. */
    RECORDING,
    /** The store refused a write (disk full, gone, failing): paused, retrying by itself. */
    PAUSED,
    /** Stopped; the camera's last segment is sealed. */
    STOPPED
}
