package io.virta.viewer.present;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Due times: capture time on this host's clock, by the fastest frame's delay, plus the buffering time. */
class PresentationClockTest {
    private static final long MS = 1_000_000L;
    private static final long BUFFER = 100 * MS;

    @Test
    void theFastestFrameDefinesTheDelayAndJitteredFramesKeepTheirSpacing() {
        PresentationClock clock = new PresentationClock(BUFFER);
        long base = 5_000 * MS;
        // Captured 40 ms apart; the network delays them 30, 10 and 55 ms.
        long due0 = clock.due(1_000_000, base + 30 * MS);
        long due1 = clock.due(1_040_000, base + 40 * MS + 10 * MS);
        long due2 = clock.due(1_080_000, base + 80 * MS + 55 * MS);
        assertEquals(base + 30 * MS + BUFFER, due0, "the first frame anchors");
        assertEquals(base + 40 * MS + 10 * MS + BUFFER, due1, "a faster frame moves the anchor");
        assertEquals(due1 + 40 * MS, due2, "a slower one keeps its capture spacing, held back by the buffer");
    }

    @Test
    void aClockJumpReanchorsAtOnce() {
        PresentationClock clock = new PresentationClock(BUFFER);
        long base = 1_000 * MS;
        long capture = 10_000_000_000L;
        clock.due(capture, base);
        // The camera's clock jumps back an hour: the next frame is due a buffer after it arrived, not in an hour.
        long arrival = base + 40 * MS;
        assertEquals(arrival + BUFFER, clock.due(capture + 40_000 - 3_600_000_000L, arrival));
    }

    @Test
    void framesWithoutCaptureTimeAreDueABufferAfterTheyArrive() {
        PresentationClock clock = new PresentationClock(BUFFER);
        assertEquals(7 * MS + BUFFER, clock.due(0, 7 * MS));
    }

    @Test
    void resetForgetsTheAnchor() {
        PresentationClock clock = new PresentationClock(0);
        clock.due(1_000_000, 10 * MS);
        clock.reset();
        long due = clock.due(2_000_000, 500 * MS);
        assertEquals(500 * MS, due, "a new writer's first frame anchors afresh");
    }
}
