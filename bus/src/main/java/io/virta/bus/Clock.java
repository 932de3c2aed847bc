package io.virta.bus;

import java.time.Instant;

/**
 * Wall-clock time in the bus's unit, microseconds since the Unix epoch (public so that producers
 * stamp frames with the clock the bus uses): {@code nanoTime} offset
 * from a wall-clock reading refreshed once a second, so a commit neither allocates nor pays for a
 * full clock read.
 */
public final class Clock {
    private static final long REFRESH_NANOS = 1_000_000_000L;

    private record Anchor(long epochMicros, long nanos) {
    }

    private static volatile Anchor anchor = sample();

    private Clock() {
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
        return new Anchor(wall.getEpochSecond() * 1_000_000L + wall.getNano() / 1000, System.nanoTime());
    }
}
