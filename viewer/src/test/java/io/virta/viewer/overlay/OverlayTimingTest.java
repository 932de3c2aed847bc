package io.virta.viewer.overlay;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OverlayTimingTest {
    private static final long CAPTURE = 1_800_000_000_000_000L;
    private static final long RECEIVED = 5_000_000_000L;
    private final OverlayTiming timing = new OverlayTiming(1_500_000, 40_000);

    @Test
    void aBoxShowsFromItsPictureMinusTheSlackForTtlOfPresentedVideo() {
        assertFalse(timing.visible(CAPTURE, RECEIVED, 0, RECEIVED), "nothing presented yet");
        assertFalse(timing.visible(CAPTURE, RECEIVED, CAPTURE - 40_001, RECEIVED), "video still before the picture");
        assertTrue(timing.visible(CAPTURE, RECEIVED, CAPTURE - 40_000, RECEIVED), "within the slack");
        assertTrue(timing.visible(CAPTURE, RECEIVED, CAPTURE, RECEIVED), "its own picture");
        assertTrue(timing.visible(CAPTURE, RECEIVED, CAPTURE - 40_000 + 1_499_999, RECEIVED), "just before ttl");
        assertFalse(timing.visible(CAPTURE, RECEIVED, CAPTURE - 40_000 + 1_500_000, RECEIVED), "ttl has passed");
    }

    @Test
    void theWallClockEndsABoxWhenTheVideoStalls() {
        long wallEnd = RECEIVED + TimeUnit.MICROSECONDS.toNanos(1_500_000) + TimeUnit.SECONDS.toNanos(5);
        assertEquals(wallEnd, timing.wallExpiryNanos(RECEIVED));
        assertTrue(timing.visible(CAPTURE, RECEIVED, CAPTURE, wallEnd - 1), "the video is stuck on its picture");
        assertFalse(timing.visible(CAPTURE, RECEIVED, CAPTURE, wallEnd), "ttl + 5 s of wall time since it came");
        // nanoTime may be negative or wrap: only differences count.
        long negative = Long.MIN_VALUE + 10;
        assertTrue(timing.visible(CAPTURE, negative, CAPTURE, negative + 1));
        assertFalse(timing.visible(CAPTURE, negative, CAPTURE, timing.wallExpiryNanos(negative)));
    }

    @Test
    void aLateEventForVideoAlreadyPastItsTtlNeverShows() {
        assertFalse(timing.visible(CAPTURE, RECEIVED, CAPTURE + 2_000_000, RECEIVED));
    }

    @Test
    void overlaySecondsIsAPositiveNumberOfSeconds() {
        assertEquals(2_500_000, OverlayTiming.parseOverlaySeconds("2.5").ttlMicros());
        assertEquals(OverlayTiming.DEFAULT_SLACK.toNanos() / 1000, OverlayTiming.parseOverlaySeconds("1").slackMicros());
        assertEquals(1_500_000, OverlayTiming.defaults().ttlMicros());
        assertEquals(Duration.ofSeconds(3).toNanos() / 1000, OverlayTiming.of(Duration.ofSeconds(3)).ttlMicros());
        for (String bad : new String[] {"0", "-1", "abc", "NaN", "1e9", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OverlayTiming.parseOverlaySeconds(bad), bad);
            assertTrue(e.getMessage().startsWith("--overlay-seconds: "), e.getMessage());
        }
    }
}
