package io.virta.rtsp.rtp;

/**
 * Extends 32-bit RTP timestamps to 64 bits across their wrap (every 13 hours at 90 kHz).
 *
 * <p>Each timestamp is placed at the 64-bit value nearest the previous result (within ±2^31), so steps
 * back (B-frame reordering, a reordered packet) give smaller values rather than a jump of 2^32. The
 * first timestamp maps to itself; a step back across 0 before the first wrap gives a negative value.
 */
public final class TimestampUnwrapper {
    private long last;
    private boolean started;

    /** {@code timestamp}: the packet's 32-bit timestamp (its low 32 bits are used). */
    public long unwrap(long timestamp) {
        if (!started) {
            started = true;
            last = timestamp & 0xffff_ffffL;
            return last;
        }
        int step = (int) (timestamp - last);
        last += step;
        return last;
    }

    public void reset() {
        started = false;
    }
}
