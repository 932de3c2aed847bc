package io.virta.recorder.export;

import java.util.Arrays;

/**
 * The frames of one export as planning found them, in columns: where each payload lies in its segment
 * file, its capture time and keyframe flag, and where its NAL units lie in the payload. Writing reads the
 * payload bytes again from the files by these positions, so the table is all an export keeps in memory:
 * about 40 bytes per frame and 8 per NAL unit (a day at 25 fps: about 100 MB; an hour: 4 MB).
 *
 * <p><b>Threads:</b> filled by the planning thread, then only read (safely published by the final
 * fields of the export that holds it). Not for use outside the package.
 */
final class FrameTable {
    static final int KEYFRAME = 1;
    /** Frames were dropped (damage, a missing segment) right before this one: a gap even if its time is close. */
    static final int AFTER_DROP = 2;

    private int size;
    private long[] payloadOffset = new long[256];
    private long[] captureMicros = new long[256];
    private int[] segment = new int[256];
    private int[] bodyLength = new int[256];
    private int[] firstUnit = new int[257];
    private byte[] flags = new byte[256];

    private int units;
    private int[] unitOffset = new int[1024];
    private int[] unitLength = new int[1024];

    /** Starts a frame; its units follow by {@link #addUnit}, then {@link #endFrame} or {@link #abandonFrame}. */
    void beginFrame(int segmentIndex, long offset, long capture, int frameFlags) {
        if (size == payloadOffset.length) {
            int capacity = size * 2;
            payloadOffset = Arrays.copyOf(payloadOffset, capacity);
            captureMicros = Arrays.copyOf(captureMicros, capacity);
            segment = Arrays.copyOf(segment, capacity);
            bodyLength = Arrays.copyOf(bodyLength, capacity);
            firstUnit = Arrays.copyOf(firstUnit, capacity + 1);
            flags = Arrays.copyOf(flags, capacity);
        }
        payloadOffset[size] = offset;
        captureMicros[size] = capture;
        segment[size] = segmentIndex;
        flags[size] = (byte) frameFlags;
        firstUnit[size] = units;
        bodyLength[size] = 0;
    }

    void addUnit(int offset, int length) {
        if (units == unitOffset.length) {
            unitOffset = Arrays.copyOf(unitOffset, units * 2);
            unitLength = Arrays.copyOf(unitLength, units * 2);
        }
        unitOffset[units] = offset;
        unitLength[units] = length;
        units++;
        bodyLength[size] += Integer.BYTES + length;
    }

    void endFrame() {
        size++;
        firstUnit[size] = units;
    }

    /** Forgets the frame begun last (its units did not parse). */
    void abandonFrame() {
        units = firstUnit[size];
    }

    /** Forgets every frame: the export starts again at a later keyframe. */
    void clear() {
        size = 0;
        units = 0;
        firstUnit[0] = 0;
    }

    int size() {
        return size;
    }

    long payloadOffset(int frame) {
        return payloadOffset[frame];
    }

    long captureMicros(int frame) {
        return captureMicros[frame];
    }

    int segment(int frame) {
        return segment[frame];
    }

    /** The sample's length in the export: each unit behind a 4-byte length. */
    int bodyLength(int frame) {
        return bodyLength[frame];
    }

    boolean isKeyframe(int frame) {
        return (flags[frame] & KEYFRAME) != 0;
    }

    boolean isAfterDrop(int frame) {
        return (flags[frame] & AFTER_DROP) != 0;
    }

    int firstUnit(int frame) {
        return firstUnit[frame];
    }

    int endUnit(int frame) {
        return firstUnit[frame + 1];
    }

    int unitOffset(int unit) {
        return unitOffset[unit];
    }

    int unitLength(int unit) {
        return unitLength[unit];
    }
}
