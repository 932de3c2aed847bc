package io.virta.producer.graph;

import java.time.Duration;
import java.util.function.ToLongFunction;

/**
 * Down-samples by time: passes a frame only when at least {@code interval} of capture time has
 * passed since the last one it passed. Driven by capture times, not by the clock, so a burst of
 * late frames is thinned the same way as a steady stream. A jump backwards (camera restart) re-anchors.
 */
public final class IntervalFilter<T> implements FrameSink<T> {
    private final ToLongFunction<T> captureMicros;
    private final FrameSink<T> next;
    private volatile long intervalMicros;
    private long lastPassed = Long.MIN_VALUE;
    private long skipped;

    public IntervalFilter(Duration interval, ToLongFunction<T> captureMicros, FrameSink<T> next) {
        this.captureMicros = captureMicros;
        this.next = next;
        interval(interval);
    }

    /** A zero interval passes every frame. */
    public void interval(Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative: " + interval);
        }
        this.intervalMicros = interval.toNanos() / 1000;
    }

    public long skipped() {
        return skipped;
    }

    @Override
    public void accept(T frame) {
        long t = captureMicros.applyAsLong(frame);
        if (lastPassed != Long.MIN_VALUE && t >= lastPassed && t - lastPassed < intervalMicros) {
            skipped++;
            return;
        }
        lastPassed = t;
        next.accept(frame);
    }
}
