package io.virta.producer.supervise;

import java.time.Duration;

/**
 * How long to wait before starting a worker again: {@code min}, doubling with each exit in a row
 * up to {@code max}. A process that ran for {@link #STABLE} counts as healthy, so one crash after
 * a day of work restarts it quickly, while a worker that dies at start-up backs off to {@code max}
 * instead of spinning the CPU.
 */
final class RestartBackoff {
    static final Duration STABLE = Duration.ofSeconds(30);

    private final long minNanos;
    private final long maxNanos;
    private int exitsInARow;

    RestartBackoff(Duration min, Duration max) {
        this.minNanos = min.toNanos();
        this.maxNanos = Math.max(minNanos, max.toNanos());
    }

    /** The delay before the next start, after a process that ran for {@code ranFor}. */
    long nextDelayNanos(Duration ranFor) {
        if (ranFor.compareTo(STABLE) >= 0) {
            exitsInARow = 0;
        }
        long delay = minNanos;
        for (int i = 0; i < exitsInARow && delay < maxNanos; i++) {
            delay *= 2;
        }
        exitsInARow++;
        return Math.min(delay, maxNanos);
    }
}
