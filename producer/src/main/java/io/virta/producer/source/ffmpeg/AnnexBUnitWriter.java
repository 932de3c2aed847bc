package io.virta.producer.source.ffmpeg;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.NalRole;
import io.virta.rtsp.media.VideoCodec;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Writes one demuxed packet (Annex-B, with 3- or 4-byte start codes, as FFmpeg's raw demuxers and
 * the {@code *_mp4toannexb} filters leave it) into the reusable {@link AccessUnit} the way the unit
 * contract wants it: every NAL unit after a 4-byte start code, and a keyframe's parameter sets in
 * front of its picture.
 *
 * <p>Parameter sets: a keyframe that does not carry its own SPS and PPS (and VPS for H265) gets the
 * stream's, from the container's codec header, inserted after any access unit delimiter. Containers
 * keep them only in that header (x264 writing straight into mkv/mp4 does this), and
 * {@code hevc_mp4toannexb} puts them in front of the first keyframe only, while a decoder that
 * joins a stream at any keyframe needs them there.
 *
 * <p>The unit's buffer grows to the largest unit seen plus {@value #PADDING} bytes of slack for
 * FFmpeg's bitstream readers; after that nothing is allocated.
 */
final class AnnexBUnitWriter {
    /** What a decoder may read past the end of a unit ({@code AV_INPUT_BUFFER_PADDING_SIZE}). */
    static final int PADDING = 64;
    /** A unit larger than this is not a picture any camera sends: dropped and counted. */
    static final int MAX_UNIT_BYTES = 64 << 20;
    private static final int FIRST_CAPACITY = 256 << 10;
    private static final ValueLayout.OfInt START_CODE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final byte[] NO_BYTES = {};

    private VideoCodec codec = VideoCodec.H264;
    private byte[] parameterSets = NO_BYTES;
    private MemorySegment parameterSetMemory = MemorySegment.ofArray(NO_BYTES);
    private AccessUnit unit;
    private MemorySegment unitMemory;
    private final NalTable nal = new NalTable();

    private long parameterSetsInserted;
    private long keyframesWithoutParameterSets;
    private long malformedPackets;
    private long oversizedUnits;

    AnnexBUnitWriter() {
        grow(FIRST_CAPACITY);
    }

    /** For a newly opened input: its codec and its parameter sets ({@link #parameterSets}' form), possibly empty. */
    void configure(VideoCodec codec, byte[] parameterSets) {
        this.codec = codec;
        this.parameterSets = parameterSets;
        this.parameterSetMemory = MemorySegment.ofArray(parameterSets);
    }

    /** The unit {@link #write} fills; a new one when a larger unit made the buffer grow. */
    AccessUnit unit() {
        return unit;
    }

    /**
     * Writes the packet at {@code memory[offset, offset + size)} into {@link #unit()}: its data only
     * (codec, times and flags are the caller's). Returns false, counting why, when the packet holds
     * no NAL unit or is too large; the unit is then unchanged.
     */
    boolean write(MemorySegment memory, long offset, int size, boolean keyframe) {
        if (!nal.scan(memory, offset, size, codec)) {
            malformedPackets++;
            return false;
        }
        int total = 0;
        boolean hasVps = codec != VideoCodec.H265;
        boolean hasSps = false;
        boolean hasPps = false;
        int leadingDelimiters = 0;
        int nals = nal.count;
        for (int n = 0; n < nals; n++) {
            total += 4 + nal.end[n] - nal.start[n];
            NalRole role = nalRole(memory, offset + nal.start[n], codec);
            hasVps |= role == NalRole.VIDEO_PARAMETER_SET;
            hasSps |= role == NalRole.SEQUENCE_PARAMETER_SET;
            hasPps |= role == NalRole.PICTURE_PARAMETER_SET;
            if (role == NalRole.ACCESS_UNIT_DELIMITER && leadingDelimiters == n) {
                leadingDelimiters++;
            }
        }
        boolean insert = false;
        if (keyframe && !(hasVps && hasSps && hasPps)) {
            if (parameterSets.length > 0) {
                insert = true;
                total += parameterSets.length;
            } else {
                keyframesWithoutParameterSets++;
            }
        }
        if ((long) total + PADDING > unitMemory.byteSize()) {
            if ((long) total + PADDING > MAX_UNIT_BYTES) {
                oversizedUnits++;
                return false;
            }
            grow((int) Math.min(MAX_UNIT_BYTES, Math.max((long) total + PADDING, unitMemory.byteSize() * 2)));
        }
        long at = 0;
        for (int n = 0; n < nals; n++) {
            if (insert && n == leadingDelimiters) {
                MemorySegment.copy(parameterSetMemory, 0, unitMemory, at, parameterSets.length);
                at += parameterSets.length;
            }
            int length = nal.end[n] - nal.start[n];
            unitMemory.set(START_CODE, at, 1);
            MemorySegment.copy(memory, offset + nal.start[n], unitMemory, at + 4, length);
            at += 4 + length;
        }
        if (insert && leadingDelimiters == nals) {
            MemorySegment.copy(parameterSetMemory, 0, unitMemory, at, parameterSets.length);
        }
        if (insert) {
            parameterSetsInserted++;
        }
        unit.data().clear().limit(total);
        return true;
    }

    private static NalRole nalRole(MemorySegment memory, long at, VideoCodec codec) {
        return codec.nalType(memory.get(ValueLayout.JAVA_BYTE, at)).role();
    }

    private void grow(int capacity) {
        unit = AccessUnit.allocate(capacity);
        unitMemory = MemorySegment.ofBuffer(unit.data());
    }

    /**
     * The parameter sets (VPS, SPS, PPS) among the NAL units of an Annex-B codec header, in their
     * order, each after a 4-byte start code; empty if there are none.
     */
    static byte[] parameterSets(byte[] annexB, VideoCodec codec) {
        MemorySegment memory = MemorySegment.ofArray(annexB);
        NalTable table = new NalTable();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        table.scan(memory, 0, annexB.length, codec);
        for (int n = 0; n < table.count; n++) {
            if (nalRole(memory, table.start[n], codec).isParameterSet()) {
                out.write(0);
                out.write(0);
                out.write(0);
                out.write(1);
                out.write(annexB, table.start[n], table.end[n] - table.start[n]);
            }
        }
        return out.toByteArray();
    }

    /** Keyframes that lacked parameter sets and got the stream's. */
    long parameterSetsInserted() {
        return parameterSetsInserted;
    }

    /** Keyframes that lacked parameter sets when the stream had none to give: a decoder may not start on them. */
    long keyframesWithoutParameterSets() {
        return keyframesWithoutParameterSets;
    }

    /** Packets without a single NAL unit: dropped. */
    long malformedPackets() {
        return malformedPackets;
    }

    /** Packets over {@value #MAX_UNIT_BYTES} bytes: dropped. */
    long oversizedUnits() {
        return oversizedUnits;
    }

    /** Where the NAL units of one stretch of Annex-B memory begin and end; reused from packet to packet. */
    static final class NalTable {
        int[] start = new int[32];
        int[] end = new int[32];
        int count;

        /**
         * Finds the NAL units in {@code memory[offset, offset + size)}, leaving out start codes,
         * trailing zeros and units too short for their header. Returns whether there is any.
         */
        boolean scan(MemorySegment memory, long offset, int size, VideoCodec codec) {
            count = 0;
            int headerBytes = codec == VideoCodec.H265 ? 2 : 1;
            int startCode = findStartCode(memory, offset, 0, size);
            while (startCode >= 0) {
                int first = startCode + 3;
                int next = findStartCode(memory, offset, first, size);
                int last = next < 0 ? size : next;
                // Zeros before a start code are its fourth byte or trailing_zero_8bits, never NAL data.
                while (last > first && memory.get(ValueLayout.JAVA_BYTE, offset + last - 1) == 0) {
                    last--;
                }
                if (last - first >= headerBytes) {
                    if (count == start.length) {
                        start = Arrays.copyOf(start, count * 2);
                        end = Arrays.copyOf(end, count * 2);
                    }
                    start[count] = first;
                    end[count] = last;
                    count++;
                }
                startCode = next;
            }
            return count > 0;
        }

        /** Index of the next {@code 00 00 01} at or after {@code from}, or -1. */
        private static int findStartCode(MemorySegment memory, long offset, int from, int size) {
            int i = from;
            while (i + 2 < size) {
                byte third = memory.get(ValueLayout.JAVA_BYTE, offset + i + 2);
                if (third > 1 || third < 0) {
                    // No start code can begin at i, i + 1 or i + 2.
                    i += 3;
                } else if (third == 1 && memory.get(ValueLayout.JAVA_BYTE, offset + i) == 0
                        && memory.get(ValueLayout.JAVA_BYTE, offset + i + 1) == 0) {
                    return i;
                } else {
                    i++;
                }
            }
            return -1;
        }
    }
}
