package io.virta.rtsp.rtp;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.NalUnitType;
import io.virta.rtsp.media.VideoCodec;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What the H264 and H265 depacketizers share: the packet loop around an {@link AccessUnitAssembler},
 * and the payload structures RFC 6184 and RFC 7798 lay out alike. A payload is a single NAL unit, an
 * aggregation packet (STAP-A / AP: {@code [16-bit size][NAL unit]} repeated after the payload header)
 * or a fragmentation unit (FU-A / FU: an FU header with S, E and the NAL unit type, then a piece of
 * the NAL unit's body); the NAL unit types come from the codec's table ({@link VideoCodec#nalType}).
 * A subclass names its codec's aggregation and fragmentation types, reads an FU header's type and
 * rebuilds a fragmented NAL unit's header.
 *
 * <p>Hostile input is counted as a {@link DepacketizerError}, never thrown; nothing is read outside
 * the payload. Nothing is allocated per packet. Use it from one thread.
 */
public abstract class NalDepacketizer implements RtpPacketHandler {
    public static final int DEFAULT_MAX_ACCESS_UNIT_SIZE = 4 << 20;
    /** Bytes of the size field before each NAL unit of an aggregation packet. */
    private static final int AGGREGATION_SIZE_LENGTH = 2;
    /** forbidden_zero_bit (F), the first bit of both codecs' NAL unit headers. */
    private static final int FORBIDDEN_BIT = 0x80;
    /** The start and end bits of an FU header, at the same place in both codecs. */
    private static final int FRAGMENT_START = 0x80;
    private static final int FRAGMENT_END = 0x40;

    protected final AccessUnitAssembler assembler;
    private final VideoCodec codec;
    private final NalUnitType aggregationType;
    private final NalUnitType fragmentationType;

    /**
     * Assembles into {@code unit}, reused across sessions: see {@link AccessUnitAssembler#AccessUnitAssembler(VideoCodec, AccessUnit, LossPolicy, AccessUnitListener)}.
     *
     * @param aggregationType   the payload type of the aggregation packets it takes apart (STAP-A, AP)
     * @param fragmentationType the payload type of the fragmentation units it joins (FU-A, FU)
     */
    protected NalDepacketizer(VideoCodec codec, NalUnitType aggregationType, NalUnitType fragmentationType,
                              AccessUnit unit, LossPolicy lossPolicy, AccessUnitListener listener) {
        this.assembler = new AccessUnitAssembler(codec, unit, lossPolicy, listener);
        this.codec = codec;
        this.aggregationType = aggregationType;
        this.fragmentationType = fragmentationType;
    }

    /**
     * Seeds the remembered parameter sets (from the SDP), used for keyframes that arrive without
     * them. Each entry is one NAL unit, with or without a leading Annex-B start code.
     *
     * @throws IllegalArgumentException naming the entry, if one is too short or not a parameter set
     *                                  of this codec; then none is taken
     */
    public final void setParameterSets(List<byte[]> parameterSets) {
        if (parameterSets == null) {
            throw new IllegalArgumentException("parameterSets is null (pass an empty list)");
        }
        int headerLength = codec.nalHeaderLength();
        for (int i = 0; i < parameterSets.size(); i++) {
            byte[] nal = parameterSets.get(i);
            int start = nal == null ? 0 : afterStartCode(nal);
            if (nal == null || nal.length - start < headerLength) {
                throw new IllegalArgumentException("parameter set " + i + " is shorter than the " + headerLength
                        + "-byte NAL header");
            }
            if (!isParameterSet(nal[start])) {
                throw new IllegalArgumentException("parameter set " + i + ": NAL header byte 0x"
                        + Integer.toHexString(nal[start] & 0xff) + " is not " + parameterSetKinds());
            }
        }
        for (byte[] nal : parameterSets) {
            int start = afterStartCode(nal);
            assembler.rememberParameterSet(codec.nalType(nal[start]).role(), nal, start, nal.length - start);
        }
    }

    private boolean isParameterSet(byte header) {
        return (header & FORBIDDEN_BIT) == 0 && codec.nalType(header).isParameterSet();
    }

    /** For messages: the parameter sets of this codec, e.g. "an SPS (type 7) or PPS (type 8)". */
    protected abstract String parameterSetKinds();

    /** The arrival time (µs since the Unix epoch) to give units completed by the next packets. */
    public void setArrivalTimeMicros(long micros) {
        assembler.setArrivalTimeMicros(micros);
    }

    @Override
    public void onPacket(RtpPacket packet) {
        assembler.beginPacket(packet.sequenceNumber(), packet.timestamp());
        parsePayload(packet.buffer(), packet.payloadOffset(), packet.payloadLength());
        assembler.endPacket(packet.marker());
    }

    @Override
    public void onLoss(int packetsLost) {
        assembler.onLoss();
    }

    /** Emits the unit in progress if it is complete: at the end of a stream whose camera never sets the marker. */
    public void flush() {
        assembler.flush();
    }

    public DepacketizerCounters counters() {
        return assembler.counters();
    }

    /** True from the start and after a loss, until a keyframe is emitted. */
    public boolean waitingForKeyframe() {
        return assembler.waitingForKeyframe();
    }

    /** Parses one packet's payload, {@code length} bytes at {@code offset}, into the assembler. */
    private void parsePayload(ByteBuffer buffer, int offset, int length) {
        if (length == 0) {
            assembler.error(DepacketizerError.EMPTY_PAYLOAD);
            return;
        }
        if (length < codec.nalHeaderLength()) {
            assembler.error(DepacketizerError.TRUNCATED_HEADER);
            return;
        }
        if (!headerValid(buffer, offset)) {
            return;
        }
        NalUnitType type = codec.nalType(buffer.get(offset));
        if (type == aggregationType) {
            parseAggregation(buffer, offset + codec.nalHeaderLength(), offset + length);
        } else if (type == fragmentationType) {
            parseFragment(buffer, offset, length);
        } else if (type.isRtpPayloadStructure()) {
            assembler.error(DepacketizerError.UNSUPPORTED_PACKET_TYPE);
        } else if (type.isUnspecified()) {
            assembler.error(DepacketizerError.IGNORED_NAL_TYPE);
        } else {
            completeNal(buffer, offset, length, type);
        }
    }

    /**
     * Checks the NAL unit header at {@code at} (its whole length is there); counts what is wrong
     * and returns false if it cannot be taken. This checks the forbidden bit, which both codecs have.
     */
    protected boolean headerValid(ByteBuffer buffer, int at) {
        if ((buffer.get(at) & FORBIDDEN_BIT) != 0) {
            assembler.error(DepacketizerError.FORBIDDEN_BIT_SET);
            return false;
        }
        return true;
    }

    /**
     * An aggregation packet's NAL units, {@code [16-bit size][NAL unit]} repeated in {@code [position, end)}.
     * Checked whole before anything is taken from it, so a malformed packet adds no NAL unit.
     */
    private void parseAggregation(ByteBuffer buffer, int position, int end) {
        if (position == end) {
            assembler.error(DepacketizerError.MALFORMED_AGGREGATION);
            return;
        }
        for (int at = position; at < end; ) {
            if (end - at < AGGREGATION_SIZE_LENGTH) {
                assembler.error(DepacketizerError.MALFORMED_AGGREGATION);
                return;
            }
            int size = u16(buffer, at);
            at += AGGREGATION_SIZE_LENGTH;
            if (size < codec.nalHeaderLength() || size > end - at) {
                assembler.error(DepacketizerError.MALFORMED_AGGREGATION);
                return;
            }
            if (!headerValid(buffer, at)) {
                return;
            }
            if (codec.nalType(buffer.get(at)).isRtpPayloadStructure()) {
                assembler.error(DepacketizerError.MALFORMED_AGGREGATION);
                return;
            }
            at += size;
        }
        for (int at = position; at < end; ) {
            int size = u16(buffer, at);
            at += AGGREGATION_SIZE_LENGTH;
            NalUnitType type = codec.nalType(buffer.get(at));
            if (type.isUnspecified()) {
                assembler.error(DepacketizerError.IGNORED_NAL_TYPE);
            } else {
                completeNal(buffer, at, size, type);
            }
            at += size;
        }
    }

    /** A fragmentation unit: payload header, FU header (S, E, type), then a piece of the NAL unit's body. */
    private void parseFragment(ByteBuffer buffer, int offset, int length) {
        int headerLength = codec.nalHeaderLength();
        if (length < headerLength + 1) {
            assembler.error(DepacketizerError.MALFORMED_FRAGMENT);
            return;
        }
        int fuHeader = buffer.get(offset + headerLength) & 0xff;
        NalUnitType type = fragmentedType(fuHeader);
        if (type.isRtpPayloadStructure() || type.isUnspecified()) {
            assembler.error(DepacketizerError.MALFORMED_FRAGMENT);
            return;
        }
        int data = offset + headerLength + 1;
        int dataEnd = offset + length;
        if ((fuHeader & FRAGMENT_START) != 0) {
            assembler.beginFragmentedNal(fragmentedNalHeader(buffer, offset, type), headerLength, type.role(),
                    startsPicture(type, buffer, data, dataEnd));
        } else if (!assembler.fragmentOpen()) {
            assembler.error(DepacketizerError.FRAGMENT_WITHOUT_START);
            return;
        } else if (codec.nalType(assembler.openFragmentHeader() >> 8 * (headerLength - 1)) != type) {
            assembler.error(DepacketizerError.FRAGMENT_TYPE_MISMATCH);
            return;
        }
        assembler.appendFragment(buffer, data, dataEnd - data);
        if ((fuHeader & FRAGMENT_END) != 0) {
            assembler.endFragmentedNal();
        }
    }

    /** The type of the NAL unit that a fragmentation unit whose FU header is {@code fuHeader} carries. */
    protected abstract NalUnitType fragmentedType(int fuHeader);

    /**
     * The header of the NAL unit a fragmentation unit at {@code offset} starts, as one number (big-endian,
     * {@link VideoCodec#nalHeaderLength()} bytes): its payload header with {@code type} in place of the FU's.
     */
    protected abstract int fragmentedNalHeader(ByteBuffer buffer, int offset, NalUnitType type);

    private void completeNal(ByteBuffer buffer, int offset, int length, NalUnitType type) {
        assembler.completeNal(buffer, offset, length, type.role(),
                startsPicture(type, buffer, offset + codec.nalHeaderLength(), offset + length));
    }

    /**
     * Whether a slice is its picture's first: the first bit of its slice header, right after the NAL
     * header (see {@link NalUnitType#hasSliceHeader()}).
     */
    private static boolean startsPicture(NalUnitType type, ByteBuffer buffer, int bodyStart, int end) {
        return type.hasSliceHeader() && bodyStart < end && (buffer.get(bodyStart) & 0x80) != 0;
    }

    private static int u16(ByteBuffer buffer, int index) {
        return ((buffer.get(index) & 0xff) << 8) | (buffer.get(index + 1) & 0xff);
    }

    /** Index of the NAL header in a parameter set given with or without an Annex-B start code. */
    private static int afterStartCode(byte[] nal) {
        if (nal.length >= 4 && nal[0] == 0 && nal[1] == 0 && nal[2] == 0 && nal[3] == 1) {
            return 4;
        }
        if (nal.length >= 3 && nal[0] == 0 && nal[1] == 0 && nal[2] == 1) {
            return 3;
        }
        return 0;
    }
}
