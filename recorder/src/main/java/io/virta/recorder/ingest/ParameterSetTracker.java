package io.virta.recorder.ingest;

import io.virta.bus.PixelFormat;
import io.virta.recorder.format.SegmentHeaderDescriptor;
import io.virta.recorder.format.StreamParameters;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Keeps the {@link StreamParameters} of one camera's stream from its keyframes: the parameter sets
 * (H265 VPS, SPS, PPS; H264 SPS, PPS) that the producer puts in front of every keyframe, in-band,
 * Annex-B (docs/recording-format.md section 9). The same object comes back while they stay the same,
 * so the camera writer's identity check costs nothing per frame; a change of any byte, of the codec or
 * of the cell's resolution makes a new one, which starts a new segment.
 *
 * <p><b>Threads:</b> one, the camera's recorder thread. <b>Allocation:</b> none for a keyframe whose
 * parameter sets are unchanged (they are compared in place, in the bus cell); a change allocates the new
 * parameters. <b>Hostile input:</b> only the NAL units before the first slice are looked at, each read
 * within the payload's bounds; parameter sets longer than a segment header holds (3840 bytes) are not
 * kept (they stay in-band before each keyframe, where decoders find them anyway).
 *
 * <pre>{@code
 * ParameterSetTracker tracker = new ParameterSetTracker();
 * if (frame.isKeyframe()) {
 *     stream = tracker.update(frame.format(), frame.width(), frame.height(), frame.payloadBuffer());
 * }
 * }</pre>
 */
final class ParameterSetTracker {
    private static final int MAX_LENGTH = SegmentHeaderDescriptor.MAX_PARAMETER_SETS_LENGTH;
    private static final int START_CODE_LENGTH = 4;

    private final byte[] current = new byte[MAX_LENGTH];
    private int currentLength;
    private StreamParameters parameters;
    private boolean known;

    /** True once a keyframe has set the parameters. */
    boolean known() {
        return known;
    }

    /** The parameters of the last keyframe; only when {@link #known()}. */
    StreamParameters parameters() {
        return parameters;
    }

    /**
     * Takes the parameters of a segment already in the store (a recorder that resumes it), as if a
     * keyframe with them had been seen.
     */
    void seed(StreamParameters stored) {
        byte[] sets = stored.parameterSets();
        if (sets.length > MAX_LENGTH) {
            return; // a header never holds more (section 3); leave the tracker waiting for a keyframe
        }
        System.arraycopy(sets, 0, current, 0, sets.length);
        currentLength = sets.length;
        parameters = stored;
        known = true;
    }

    /**
     * Reads the parameter sets in front of a keyframe's first slice ({@code unit}'s bytes from 0 to its
     * limit; position and limit unchanged) and returns the parameters to record it with.
     */
    StreamParameters update(PixelFormat codec, int width, int height, ByteBuffer unit) {
        int length = walk(codec, unit, false);
        boolean same = known && length == currentLength && parameters.codec() == codec
                && parameters.width() == width && parameters.height() == height;
        if (!same) {
            currentLength = Math.max(walk(codec, unit, true), 0);
            parameters = new StreamParameters(codec, width, height, Arrays.copyOf(current, currentLength));
            known = true;
        }
        return parameters;
    }

    /**
     * Visits the parameter-set NAL units before the first slice, each as a 4-byte start code and its
     * bytes. Copies them into {@link #current} when {@code copy}, else compares them with it. Returns
     * their total length; -1 when they differ from {@link #current} (compare) or do not fit it.
     */
    private int walk(PixelFormat codec, ByteBuffer unit, boolean copy) {
        int limit = unit.limit();
        int at = nextStartCode(unit, 0, limit);
        int length = 0;
        boolean differs = false;
        while (at >= 0) {
            int nal = at + 3;
            if (nal >= limit) {
                break;
            }
            int next = nextStartCode(unit, nal, limit);
            int end = next < 0 ? limit : next;
            while (end > nal && unit.get(end - 1) == 0) {
                end--; // the zero of a 4-byte start code, or trailing_zero_8bits, belong to no NAL unit
            }
            NalKind kind = NalKind.of(codec, unit.get(nal));
            if (kind == NalKind.SLICE) {
                break;
            }
            if (kind == NalKind.PARAMETER_SET) {
                int size = START_CODE_LENGTH + end - nal;
                if (length + size > MAX_LENGTH) {
                    return -1;
                }
                for (int i = 0; i < size; i++) {
                    byte b = i >= START_CODE_LENGTH ? unit.get(nal + i - START_CODE_LENGTH)
                            : (byte) (i == START_CODE_LENGTH - 1 ? 1 : 0); // a 4-byte start code, whatever the cell had
                    if (copy) {
                        current[length + i] = b;
                    } else if (length + i >= currentLength || current[length + i] != b) {
                        differs = true;
                    }
                }
                length += size;
            }
            at = next;
        }
        return differs && !copy ? -1 : length;
    }

    /** The offset of the next {@code 00 00 01} at or after {@code from}, or -1. */
    private static int nextStartCode(ByteBuffer unit, int from, int limit) {
        for (int i = from; i + 2 < limit; i++) {
            if (unit.get(i + 2) == 1 && unit.get(i + 1) == 0 && unit.get(i) == 0) {
                return i;
            }
        }
        return -1;
    }

    /** What a NAL unit's type says, as far as recording cares (H.264 7.4.1, H.265 7.4.2.2). */
    enum NalKind {
        PARAMETER_SET, SLICE, OTHER;

        static NalKind of(PixelFormat codec, byte header) {
            if (codec == PixelFormat.H265) {
                int type = (header >> 1) & 0x3F;
                if (type >= 32 && type <= 34) { // VPS, SPS, PPS
                    return PARAMETER_SET;
                }
                return type <= 31 ? SLICE : OTHER; // 0 to 31: VCL
            }
            int type = header & 0x1F;
            if (type == 7 || type == 8) { // SPS, PPS
                return PARAMETER_SET;
            }
            return type >= 1 && type <= 5 ? SLICE : OTHER;
        }
    }
}
