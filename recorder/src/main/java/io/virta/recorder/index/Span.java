package io.virta.recorder.index;

/** Recorded video without a gap, from the capture time of its first frame to that of its last (µs since the epoch). */
public record Span(long startMicros, long endMicros) {
}
