package io.virta.viewer.present;

/**
 * When a stream's frames are due on screen: capture time, shifted onto this host's monotonic clock, plus
 * the buffering time (libValkka's msbuftime).
 *
 * <p>The shift is the smallest delay seen between a frame's capture and its commit to the bus: the
 * frame that travelled fastest defines "no jitter", and every other frame is held back until its
 * capture time plus that delay plus the buffering time. A camera clock that jumps (re-synchronized NTP,
 * a restart) would freeze or rush the picture, so a delay more than {@link #REANCHOR_NANOS} away from
 * the anchor re-anchors at once; and the minimum is re-learnt every {@link #REBASE_NANOS} so that slow
 * drift between the clocks is followed.
 */
public final class PresentationClock {
    static final long REANCHOR_NANOS = 2_000_000_000L;
    static final long REBASE_NANOS = 60_000_000_000L;

    private final long bufferNanos;
    private boolean anchored;
    private long offsetNanos;
    private long periodMinimum;
    private long periodStart;

    /** @param bufferNanos how long frames are held back; 0 shows each frame as soon as it arrives */
    public PresentationClock(long bufferNanos) {
        if (bufferNanos < 0) {
            throw new IllegalArgumentException("buffering time must not be negative: " + bufferNanos + " ns");
        }
        this.bufferNanos = bufferNanos;
    }

    public long bufferNanos() {
        return bufferNanos;
    }

    /**
     * The monotonic time (System.nanoTime) at which a frame is due.
     *
     * @param captureMicros the frame's capture time, µs since the epoch; 0 when the writer did not set it
     * @param commitNanos   when it was committed to the bus, on the same monotonic clock as System.nanoTime
     */
    public long due(long captureMicros, long commitNanos) {
        if (captureMicros <= 0) {
            return commitNanos + bufferNanos;
        }
        long delay = commitNanos - captureMicros * 1000;
        if (!anchored || Math.abs(delay - offsetNanos) > REANCHOR_NANOS) {
            anchored = true;
            offsetNanos = delay;
            periodMinimum = delay;
            periodStart = commitNanos;
        } else {
            offsetNanos = Math.min(offsetNanos, delay);
            periodMinimum = Math.min(periodMinimum, delay);
            if (commitNanos - periodStart > REBASE_NANOS) {
                offsetNanos = periodMinimum;
                periodMinimum = delay;
                periodStart = commitNanos;
            }
        }
        return captureMicros * 1000 + offsetNanos + bufferNanos;
    }

    /** Forgets the anchor: the next frame (after a writer restart, say) defines it afresh. */
    public void reset() {
        anchored = false;
    }
}
