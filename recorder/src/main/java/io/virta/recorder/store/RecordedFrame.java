package io.virta.recorder.store;

/**
 * The last frame a camera has in the store, as a recorder that starts again needs it to resume on the
 * bus: its bus sequence number and its capture time (docs/recording-format.md section 9).
 */
public record RecordedFrame(long sequence, long captureTimeMicros) {
}
