package io.virta.rtsp.rtp;

/**
 * Extends 16-bit RTP sequence numbers to 64 bits, so that ordering and differences keep working across
 * the wrap from 65535 to 0.
 *
 * <p>Each number is placed at the 64-bit value nearest the previous result (within -32768..+32767), so
 * a packet a little older than the last one (reordered, duplicated) gets a smaller value instead of
 * looking 65535 packets ahead. The first number maps to itself; numbers before it may be negative.
 */
public final class SequenceUnwrapper {
    private long last;
    private boolean started;

    public long unwrap(int sequenceNumber) {
        if (!started) {
            started = true;
            last = sequenceNumber & 0xffff;
            return last;
        }
        int step = (short) (sequenceNumber - (int) last);
        last += step;
        return last;
    }

    /** Forgets the history: the next number maps to itself again (after a stream restart). */
    public void reset() {
        started = false;
    }
}
