package io.virta.demo.camera;

import java.time.Instant;

/**
 * Wall-clock time in µs since the Unix epoch without allocating: the wall clock read once, then
 * advanced by {@link System#nanoTime()}. It does not follow later steps of the system clock, which
 * is what a camera's own clock does too.
 */
final class EpochClock {
    private static final long ANCHOR_NANOS;
    private static final long ANCHOR_EPOCH_MICROS;

    static {
        Instant now = Instant.now();
        ANCHOR_NANOS = System.nanoTime();
        ANCHOR_EPOCH_MICROS = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    private EpochClock() {
    }

    static long nowMicros() {
        return toEpochMicros(System.nanoTime());
    }

    /** The epoch time of a {@link System#nanoTime()} reading. */
    static long toEpochMicros(long monotonicNanos) {
        return ANCHOR_EPOCH_MICROS + (monotonicNanos - ANCHOR_NANOS) / 1000;
    }
}
