package io.virta.producer.daemon;

/**
 * Rates of a camera's counters over the last few seconds: a small ring of once-a-second samples,
 * and a rate is the difference between now and the oldest sample. Status reporting only; the
 * frame path never touches it.
 */
final class RateWindow {
    /** Samples kept: five seconds of history at one a second, plus the one being replaced. */
    private static final int SAMPLES = 6;
    /** Below this span a rate says more about timing noise than about the stream. */
    private static final long MIN_SPAN_NANOS = 200_000_000L;

    private final long[] nanos = new long[SAMPLES];
    private final long[] units = new long[SAMPLES];
    private final long[] bytes = new long[SAMPLES];
    private final long[] frames = new long[SAMPLES];
    private int count;
    private int next;

    record Rates(double unitsPerSecond, double framesPerSecond, double bitsPerSecond) {
        static final Rates ZERO = new Rates(0, 0, 0);
    }

    synchronized void sample(long nowNanos, long unitCount, long byteCount, long frameCount) {
        nanos[next] = nowNanos;
        units[next] = unitCount;
        bytes[next] = byteCount;
        frames[next] = frameCount;
        next = (next + 1) % SAMPLES;
        count = Math.min(count + 1, SAMPLES);
    }

    /** Rates from the oldest sample to the counters' values now. */
    synchronized Rates rates(long nowNanos, long unitCount, long byteCount, long frameCount) {
        if (count == 0) {
            return Rates.ZERO;
        }
        int oldest = (next - count + SAMPLES) % SAMPLES;
        long span = nowNanos - nanos[oldest];
        if (span < MIN_SPAN_NANOS) {
            return Rates.ZERO;
        }
        double seconds = span / 1e9;
        return new Rates(perSecond(unitCount - units[oldest], seconds), perSecond(frameCount - frames[oldest], seconds),
                perSecond(byteCount - bytes[oldest], seconds) * 8);
    }

    /** A counter that went backwards was replaced (a new decoder after a codec change): no rate this window. */
    private static double perSecond(long delta, double seconds) {
        return delta < 0 ? 0 : delta / seconds;
    }
}
