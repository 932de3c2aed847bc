package io.virta.producer.mux.fmp4;

import java.nio.ByteBuffer;

/**
 * The stream's latest VPS (H265), SPS and PPS, each as its NAL unit without start code, in
 * pre-reserved arrays: a unit repeating the same set (every keyframe) costs a comparison, a new one
 * a copy, and {@link #takeChanged} tells that the init segment must be written again.
 */
final class ParameterSets {
    /** Longer parameter sets are ignored (real ones are tens of bytes). */
    static final int MAX_LENGTH = 4096;

    final byte[] vps = new byte[MAX_LENGTH];
    final byte[] sps = new byte[MAX_LENGTH];
    final byte[] pps = new byte[MAX_LENGTH];
    int vpsLength;
    int spsLength;
    int ppsLength;
    private boolean changed;

    void clear() {
        vpsLength = 0;
        spsLength = 0;
        ppsLength = 0;
        changed = true;
    }

    void vps(ByteBuffer data, int start, int length) {
        vpsLength = store(data, start, length, vps, vpsLength);
    }

    void sps(ByteBuffer data, int start, int length) {
        spsLength = store(data, start, length, sps, spsLength);
    }

    void pps(ByteBuffer data, int start, int length) {
        ppsLength = store(data, start, length, pps, ppsLength);
    }

    /** Whether a set changed since the last call that returned true. */
    boolean takeChanged() {
        boolean was = changed;
        changed = false;
        return was;
    }

    /** Whether a set changed and {@link #takeChanged} has not been asked yet. */
    boolean changed() {
        return changed;
    }

    /** Copies a set that differs from the stored one; returns the stored length. */
    private int store(ByteBuffer data, int start, int length, byte[] stored, int storedLength) {
        if (length > MAX_LENGTH) {
            return storedLength;
        }
        if (length == storedLength) {
            boolean same = true;
            for (int i = 0; i < length && same; i++) {
                same = data.get(start + i) == stored[i];
            }
            if (same) {
                return storedLength;
            }
        }
        data.get(start, stored, 0, length);
        changed = true;
        return length;
    }
}
