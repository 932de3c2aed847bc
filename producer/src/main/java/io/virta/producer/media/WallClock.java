package io.virta.producer.media;

import java.time.Instant;

/**
 * Microseconds since the Unix epoch, cheaply: {@code nanoTime} offset from a wall-clock anchor that
 * is refreshed once a second, so per-packet calls neither allocate nor jump by more than the
 * clock's own corrections.
 */
public final class WallClock {
    private static final long REFRESH_NANOS = 1_000_000_000L;

    private record Anchor(long epochMicros, long nanos) {
    }

    private static volatile Anchor anchor = sample();

    private WallClock() {
    }

    public static long epochMicros() {
        long now = System.nanoTime();
        Anchor a = anchor;
        if (now - a.nanos >= REFRESH_NANOS) {
            a = sample();
            anchor = a;
        }
        return a.epochMicros + (now - a.nanos) / 1000;
    }

    private static Anchor sample() {
        Instant wall = Instant.now();
        long nanos = System.nanoTime();
        return new Anchor(wall.getEpochSecond() * 1_000_000L + wall.getNano() / 1000, nanos);
    }
}
