package io.virta.rtsp.media;

import java.nio.ByteBuffer;

/**
 * Walks the NAL units of an Annex-B byte stream ({@code 00 00 01} or {@code 00 00 00 01} before
 * each). Static and allocation-free: callers keep the indices.
 */
public final class AnnexB {
    private AnnexB() {
    }

    /**
     * Index of the first payload byte of the next NAL unit at or after {@code from} (just past its
     * start code), or -1 when there is none before {@code end}.
     */
    public static int nextNalStart(ByteBuffer b, int from, int end) {
        for (int i = from; i + 2 < end; i++) {
            if (b.get(i) == 0 && b.get(i + 1) == 0) {
                byte third = b.get(i + 2);
                if (third == 1) {
                    return i + 3;
                }
                if (third == 0 && i + 3 < end && b.get(i + 3) == 1) {
                    return i + 4;
                }
            }
        }
        return -1;
    }

    /**
     * End (exclusive) of the NAL unit that starts at {@code nalStart}: where the next start code
     * begins, or {@code end}. Trailing zero bytes before a 4-byte start code are not part of the unit.
     */
    public static int nalEnd(ByteBuffer b, int nalStart, int end) {
        for (int i = nalStart; i + 2 < end; i++) {
            if (b.get(i) == 0 && b.get(i + 1) == 0 && (b.get(i + 2) == 1 || b.get(i + 2) == 0 && i + 3 < end && b.get(i + 3) == 1)) {
                return i;
            }
        }
        return end;
    }
}
