package io.virta.producer.source.ffmpeg;

import org.junit.jupiter.api.Test;

import static io.virta.producer.source.ffmpeg.Timeline.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TimelineTest {
    @Test
    void aFilesOwnTimestampsPassThrough() {
        Timeline t = new Timeline();
        t.next(7200, 3600, 3600);
        assertEquals(7200, t.presentationTime());
        assertEquals(3600, t.decodeTime());
        t.next(3600 * 5, 3600 * 2, 3600);
        assertEquals(3600 * 5, t.presentationTime());
    }

    @Test
    void aStreamWithoutTimestampsIsCountedInFramesFromItsStart() {
        Timeline t = new Timeline();
        t.defaultFrameDuration(3000);
        t.firstTime(90_000);
        for (int i = 0; i < 4; i++) {
            t.next(NONE, NONE, 0);
            assertEquals(90_000 + i * 3000, t.presentationTime());
            assertEquals(t.presentationTime(), t.decodeTime());
        }
    }

    @Test
    void missingDecodeTimesAtTheStartAreGuessedWithoutShiftingTheTimeline() {
        // Matroska with B-frames: the first two packets have no dts; then small steps back are normal.
        Timeline t = new Timeline();
        long[][] packets = {{0, NONE}, {7200, NONE}, {3600, 0}, {10800, 3600}, {21600, 7200}};
        for (long[] p : packets) {
            t.next(p[0], p[1], 3600);
            assertEquals(p[0], t.presentationTime());
        }
        assertEquals(0, t.discontinuities());
    }

    @Test
    void aRestartContinuesOneFrameAfterTheLatestPicture() {
        Timeline t = new Timeline();
        // A round whose last packet in decode order is not its latest picture.
        t.next(0, -7200, 3600);
        t.next(14400, -3600, 3600);
        t.next(7200, 0, 3600);
        t.next(3600, 3600, 3600);
        t.next(10800, 7200, 3600);
        t.restart();
        t.next(0, -7200, 3600);
        assertEquals(14400 + 3600, t.presentationTime());
        assertEquals(0, t.discontinuities(), "a restart is not a discontinuity");
    }

    @Test
    void jumpsOfMoreThanFiveSecondsAreSmoothedOverSmallStepsBackAreNot() {
        Timeline t = new Timeline();
        t.next(1000, 1000, 3600);
        t.next(4600, 4600, 3600);
        long jumped = 4600 + Timeline.MAX_JUMP + 3600;
        t.next(jumped, jumped, 3600);
        assertEquals(8200, t.presentationTime(), "one frame after the last");
        assertEquals(1, t.discontinuities());
        t.next(jumped + 3600, jumped + 3600, 3600);
        assertEquals(11800, t.presentationTime(), "and on from there");
        t.next(jumped - 90_000, jumped - 90_000, 3600);
        assertEquals(11800 - 3600 - 90_000, t.presentationTime(), "a second back is left alone");
        assertEquals(1, t.discontinuities());
        t.next(jumped - 20 * 90_000L, jumped - 20 * 90_000L, 3600);
        assertEquals(2, t.discontinuities());
        assertEquals(11800 + 3600, t.presentationTime(), "20 s back is a jump: on one frame after the latest picture");
    }
}
