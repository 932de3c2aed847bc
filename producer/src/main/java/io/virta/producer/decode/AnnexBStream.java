package io.virta.producer.decode;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.NalRole;
import io.virta.rtsp.media.NalUnitType;
import io.virta.rtsp.media.VideoCodec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An H264 or H265 elementary stream in Annex-B form (a {@code .h264}/{@code .h265} file) split into
 * access units, for the decode benchmark and tests: it plays the part of the RTP depacketizer.
 *
 * <p>A new access unit begins at the first of these after a coded slice of the previous picture
 * (H.264 section 7.4.1.2.3, H.265 section 7.4.2.4.4): an access unit delimiter, a parameter set, a
 * prefix SEI, or the first slice of the next picture ({@code first_mb_in_slice} 0, or
 * {@code first_slice_segment_in_pic_flag} set). Streams with or without delimiters split the same.
 * Bytes before the first start code, empty NAL units and NAL units too short for their header are
 * dropped and counted; nothing in the input makes the split throw or read out of bounds.
 */
public final class AnnexBStream {
    private static final byte[] START_CODE = {0, 0, 0, 1};

    private final byte[] stream;
    private final VideoCodec codec;
    private int[] nalOffsets = new int[256];
    private int[] nalLengths = new int[256];
    private int nals;
    private int[] unitFirstNal = new int[64];
    private int[] unitNalCount = new int[64];
    private boolean[] unitKeyframe = new boolean[64];
    private int units;
    private int malformedNals;

    private AnnexBStream(byte[] stream, VideoCodec codec) {
        this.stream = stream;
        this.codec = codec;
        findNalUnits();
        groupIntoAccessUnits();
    }

    static AnnexBStream split(byte[] stream, VideoCodec codec) {
        return new AnnexBStream(stream, codec);
    }

    public static AnnexBStream read(Path file, VideoCodec codec) throws IOException {
        return split(Files.readAllBytes(file), codec);
    }

    VideoCodec codec() {
        return codec;
    }

    public int unitCount() {
        return units;
    }

    /** NAL units left out: empty, or shorter than their header. */
    int malformedNals() {
        return malformedNals;
    }

    boolean isKeyframe(int unit) {
        return unitKeyframe[unit];
    }

    /** Bytes the unit takes written with 4-byte start codes. */
    public int unitSize(int unit) {
        int size = 0;
        for (int n = unitFirstNal[unit], end = n + unitNalCount[unit]; n < end; n++) {
            size += START_CODE.length + nalLengths[n];
        }
        return size;
    }

    /** The largest {@link #unitSize}. */
    int maxUnitSize() {
        int max = 0;
        for (int u = 0; u < units; u++) {
            max = Math.max(max, unitSize(u));
        }
        return max;
    }

    /** NAL unit types of a unit, in order (for tests and diagnostics). */
    int[] nalTypes(int unit) {
        int[] types = new int[unitNalCount[unit]];
        for (int i = 0; i < types.length; i++) {
            types[i] = nalType(unitFirstNal[unit] + i).value();
        }
        return types;
    }

    /**
     * Writes unit {@code unit} into {@code target} the way the AccessUnit contract wants it: each NAL
     * unit after a 4-byte start code, from byte 0, limit at the end; codec and keyframe flag set.
     * Times and sequence are the caller's. Returns false, leaving the unit untouched, if it does not fit.
     */
    public boolean copyTo(int unit, AccessUnit target) {
        if (unitSize(unit) > target.data().capacity()) {
            return false;
        }
        var data = target.data();
        data.clear();
        for (int n = unitFirstNal[unit], end = n + unitNalCount[unit]; n < end; n++) {
            data.put(START_CODE);
            data.put(stream, nalOffsets[n], nalLengths[n]);
        }
        data.flip();
        target.codec(codec).keyframe(unitKeyframe[unit]);
        return true;
    }

    private void findNalUnits() {
        int start = -1;
        int i = 0;
        while (i + 2 < stream.length) {
            if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1) {
                if (start >= 0) {
                    addNal(start, i);
                }
                start = i + 3;
                i += 3;
            } else {
                i++;
            }
        }
        if (start >= 0) {
            addNal(start, stream.length);
        }
    }

    /** Adds the NAL unit in [from, to), without the zero bytes that lead into the next start code. */
    private void addNal(int from, int to) {
        int end = to;
        while (end > from && stream[end - 1] == 0) {
            end--;
        }
        if (end - from < codec.nalHeaderLength()) {
            malformedNals++;
            return;
        }
        if (nals == nalOffsets.length) {
            nalOffsets = Arrays.copyOf(nalOffsets, nals * 2);
            nalLengths = Arrays.copyOf(nalLengths, nals * 2);
        }
        nalOffsets[nals] = from;
        nalLengths[nals] = end - from;
        nals++;
    }

    private void groupIntoAccessUnits() {
        int first = 0;
        boolean hasSlice = false;
        boolean keyframe = false;
        for (int n = 0; n < nals; n++) {
            NalUnitType type = nalType(n);
            if (hasSlice && startsAccessUnit(n, type)) {
                addUnit(first, n - first, keyframe);
                first = n;
                hasSlice = false;
                keyframe = false;
            }
            hasSlice |= type.role().isSlice();
            // The IRAP types H.265 reserves (22, 23) make no keyframe here.
            keyframe |= type.role() == NalRole.KEYFRAME_SLICE && !type.isReserved();
        }
        if (nals > first) {
            addUnit(first, nals - first, keyframe);
        }
    }

    private void addUnit(int firstNal, int count, boolean keyframe) {
        if (units == unitFirstNal.length) {
            unitFirstNal = Arrays.copyOf(unitFirstNal, units * 2);
            unitNalCount = Arrays.copyOf(unitNalCount, units * 2);
            unitKeyframe = Arrays.copyOf(unitKeyframe, units * 2);
        }
        unitFirstNal[units] = firstNal;
        unitNalCount[units] = count;
        unitKeyframe[units] = keyframe;
        units++;
    }

    private NalUnitType nalType(int n) {
        return codec.nalType(stream[nalOffsets[n]]);
    }

    private boolean startsAccessUnit(int n, NalUnitType type) {
        if (type.hasSliceHeader()) {
            // first_mb_in_slice 0 / first_slice_segment_in_pic_flag: the first bit after the header.
            int headerLength = codec.nalHeaderLength();
            return nalLengths[n] > headerLength && (stream[nalOffsets[n] + headerLength] & 0x80) != 0;
        }
        return type.beginsAccessUnit();
    }
}
