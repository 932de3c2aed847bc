package io.virta.recorder.store;

import io.virta.recorder.format.StreamParameters;

/**
 * The last frame a camera has in the store, as a recorder that starts again needs it to resume on the
 * bus: its bus sequence number, its capture time and the parameters of its segment
 * (docs/recording-format.md section 9).
 */
public record RecordedFrame(long sequence, long captureTimeMicros, StreamParameters parameters) {
}
