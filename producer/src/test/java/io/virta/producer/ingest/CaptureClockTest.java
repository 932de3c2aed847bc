package io.virta.producer.ingest;

import io.virta.producer.config.TimestampMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureClockTest {
    private static final int RATE = 90_000;
    private static final long FRAME_TICKS = 3600;   // 40 ms
    private static final long T0 = 1_700_000_000_000_000L;

    @Test
    void smartFollowsTheEarliestArrivalSoJitterDoesNotMoveTimestamps() {
        CaptureClock clock = new CaptureClock(TimestampMode.SMART, RATE, rtp -> CaptureClock.UNKNOWN);
        long[] jitter = {9_000, 0, 3_000, 15_000, 1_000, 7_000};   // network delay per frame, µs
        long first = clock.captureMicros(0, T0 + jitter[0]);
        assertEquals(T0 + 9_000, first);
        long last = 0;
        for (int i = 1; i < jitter.length; i++) {
            last = clock.captureMicros(i * FRAME_TICKS, T0 + i * 40_000L + jitter[i]);
        }
        // After the frame that arrived without delay, times sit on the 40 ms grid (plus the 1 µs creep per frame).
        assertEquals(T0 + 5 * 40_000L + 4, last);
        assertEquals(0, clock.reanchors());
    }

    @Test
    void smartReanchorsWhenCameraAndHostDisagreeByMoreThanTwoSeconds() {
        CaptureClock clock = new CaptureClock(TimestampMode.SMART, RATE, rtp -> CaptureClock.UNKNOWN);
        clock.captureMicros(0, T0);
        // The camera restarted: its RTP clock jumped back by an hour.
        long t = clock.captureMicros(-3600L * RATE, T0 + 40_000);
        assertEquals(T0 + 40_000, t);
        assertEquals(1, clock.reanchors());
    }

    /**
     * A server looping a file steps its RTP clock back about a second at every loop (VLC does): the
     * capture times keep going forward, on the frame grid within each loop.
     */
    @Test
    void smartCaptureTimesNeverGoBackWhenTheServerStepsItsRtpClockBack() {
        CaptureClock clock = new CaptureClock(TimestampMode.SMART, RATE, rtp -> CaptureClock.UNKNOWN);
        long rtp = 0;
        long previous = Long.MIN_VALUE;
        int loops = 4;
        for (int loop = 0; loop < loops; loop++) {
            for (int frame = 0; frame < 50; frame++) {   // 2 s of 25 fps per loop
                long arrival = T0 + (loop * 50L + frame) * 40_000L + (frame % 3) * 2_000L;
                long t = clock.captureMicros(rtp, arrival);
                assertTrue(t > previous, "loop " + loop + " frame " + frame + ": " + t + " after " + previous);
                if (frame > 0 && loop > 0) {
                    assertEquals(40_000L, t - previous, 1_000, "frame spacing within a loop");
                }
                previous = t;
                rtp += FRAME_TICKS;
            }
            rtp -= RATE;   // the step back: one second
        }
        assertEquals(loops - 1, clock.reanchors(), "one re-anchor per step");
    }

    /** B-frames come in decode order: their capture (presentation) times go back by a few frames, unchanged. */
    @Test
    void smartKeepsBFrameReorderingAsItIs() {
        CaptureClock clock = new CaptureClock(TimestampMode.SMART, RATE, rtp -> CaptureClock.UNKNOWN);
        // Decode order I P B B B P B B B ..., presentation indexes 0 4 1 2 3 8 5 6 7
        int[] presentation = {0, 4, 1, 2, 3, 8, 5, 6, 7, 12, 9, 10, 11};
        long first = clock.captureMicros(0, T0);
        for (int i = 1; i < presentation.length; i++) {
            long t = clock.captureMicros(presentation[i] * FRAME_TICKS, T0 + i * 40_000L + 4 * 40_000L);
            assertEquals(first + presentation[i] * 40_000L, t, 20, "unit " + i);
        }
        assertEquals(0, clock.reanchors());
    }

    @Test
    void cameraModeUsesSenderReportsAndArrivalBeforeTheFirst() {
        long[] mapped = {CaptureClock.UNKNOWN};
        CaptureClock clock = new CaptureClock(TimestampMode.CAMERA, RATE, rtp -> mapped[0]);
        assertEquals(T0 + 5, clock.captureMicros(0, T0 + 5));
        mapped[0] = T0 - 123;
        assertEquals(T0 - 123, clock.captureMicros(0, T0 + 5));
    }

    @Test
    void arrivalModeIsArrival() {
        CaptureClock clock = new CaptureClock(TimestampMode.ARRIVAL, RATE, rtp -> T0);
        assertEquals(T0 + 77, clock.captureMicros(12345, T0 + 77));
    }
}
