package io.virta.rtsp.rtp.h265;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.rtp.AccessUnitAssembler;
import io.virta.rtsp.rtp.AccessUnitAssembler.NalRole;
import io.virta.rtsp.rtp.LossPolicy;
import io.virta.rtsp.rtp.NalDepacketizer;
import io.virta.rtsp.rtp.DepacketizerError;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Turns an H265 RTP stream (RFC 7798) into access units in Annex-B form.
 *
 * <p>Handles single NAL unit packets, aggregation packets (48) and fragmentation units (49), without
 * DONL fields: the normal case for cameras, which send in decoding order ({@code sprop-max-don-diff}
 * absent or 0). PACI packets (50) are counted as {@link DepacketizerError#UNSUPPORTED_PACKET_TYPE} and
 * their unit dropped. Packets must come in sequence order ({@link io.virta.rtsp.rtp.Reorderer} does
 * that); units, losses and parameter sets follow {@link AccessUnitAssembler}, with VPS (32), SPS (33)
 * and PPS (34), and {@code keyframe} for IRAP pictures (types 16..23: IDR, CRA, BLA).
 *
 * <p>Nothing is allocated per packet. Use it from one thread.
 */
public final class H265Depacketizer extends NalDepacketizer {

    private static final int FIRST_IRAP = 16;
    private static final int LAST_IRAP = 23;
    private static final int FIRST_NON_VCL = 32;
    private static final int VPS = 32;
    private static final int SPS = 33;
    private static final int PPS = 34;
    private static final int AUD = 35;
    private static final int AGGREGATION = 48;
    private static final int FRAGMENTATION = 49;
    private static final int PACI = 50;

    public H265Depacketizer(AccessUnitListener listener) {
        this(listener, DEFAULT_MAX_ACCESS_UNIT_SIZE, List.of(), false);
    }

    /**
     * @param maxAccessUnitSize the largest access unit, reserved up front; larger ones are dropped
     * @param parameterSets     VPS, SPS and PPS from the SDP ({@code sprop-vps}, {@code sprop-sps},
     *                          {@code sprop-pps}), base64-decoded; see {@link #setParameterSets}
     * @param donlPresent       whether the SDP announces DONL fields ({@code sprop-max-don-diff} above 0)
     * @throws UnsupportedOperationException if {@code donlPresent}: such a stream is sent out of decoding
     *                                       order, which this depacketizer does not restore
     */
    public H265Depacketizer(AccessUnitListener listener, int maxAccessUnitSize, List<byte[]> parameterSets,
                            boolean donlPresent) {
        this(listener, maxAccessUnitSize, parameterSets, donlPresent, LossPolicy.DROP);
    }

    /** @param lossPolicy what happens to units that packet loss touched */
    public H265Depacketizer(AccessUnitListener listener, int maxAccessUnitSize, List<byte[]> parameterSets,
                            boolean donlPresent, LossPolicy lossPolicy) {
        this(listener, AccessUnitAssembler.allocateUnit(maxAccessUnitSize), parameterSets, donlPresent, lossPolicy);
    }

    /**
     * Assembles into {@code unit}, whose buffer's capacity is the largest access unit: a camera passes
     * the same unit to the depacketizer of each new session, so that a reconnect allocates nothing big.
     *
     * @param lossPolicy what happens to units that packet loss touched
     * @throws UnsupportedOperationException if {@code donlPresent} (see the other constructor)
     */
    public H265Depacketizer(AccessUnitListener listener, AccessUnit unit, List<byte[]> parameterSets,
                            boolean donlPresent, LossPolicy lossPolicy) {
        if (donlPresent) {
            throw new UnsupportedOperationException("H265 RTP with DONL fields (sprop-max-don-diff > 0) is not"
                    + " supported: the sender would have to send in decoding order (sprop-max-don-diff=0)");
        }
        super(VideoCodec.H265, unit, lossPolicy, listener);
        setParameterSets(parameterSets);
    }

    @Override
    protected NalRole parameterSetRole(byte header) {
        int type = (header >> 1) & 0x3f;
        return (header & 0x80) != 0 || type < VPS || type > PPS ? null : roleOf(type);
    }

    @Override
    protected String parameterSetKinds() {
        return "a VPS (type 32), SPS (type 33) or PPS (type 34)";
    }

    @Override
    protected int nalHeaderLength() {
        return 2;
    }

    @Override
    protected void parsePayload(ByteBuffer buffer, int offset, int length) {
        if (length == 0) {
            assembler.error(DepacketizerError.EMPTY_PAYLOAD);
            return;
        }
        if (length < 2) {
            assembler.error(DepacketizerError.TRUNCATED_HEADER);
            return;
        }
        DepacketizerError headerError = checkHeader(buffer, offset);
        if (headerError != null) {
            assembler.error(headerError);
            return;
        }
        int type = typeAt(buffer, offset);
        if (type == AGGREGATION) {
            parseAggregation(buffer, offset + 2, offset + length);
        } else if (type == FRAGMENTATION) {
            parseFragment(buffer, offset, length);
        } else if (type == PACI) {
            assembler.error(DepacketizerError.UNSUPPORTED_PACKET_TYPE);
        } else if (type > PACI) {
            assembler.error(DepacketizerError.IGNORED_NAL_TYPE);
        } else {
            assembler.completeNal(buffer, offset, length, roleOf(type),
                    startsPicture(type, buffer, offset + 2, offset + length));
        }
    }

    /** Aggregation packet: payload header, then [16-bit size][NAL unit] repeated. Checked whole first. */
    private void parseAggregation(ByteBuffer buffer, int position, int end) {
        if (position == end) {
            assembler.error(DepacketizerError.MALFORMED_AGGREGATION);
            return;
        }
        for (int at = position; at < end; ) {
            if (end - at < 2) {
                assembler.error(DepacketizerError.MALFORMED_AGGREGATION);
                return;
            }
            int size = u16(buffer, at);
            at += 2;
            if (size < 2 || size > end - at) {
                assembler.error(DepacketizerError.MALFORMED_AGGREGATION);
                return;
            }
            DepacketizerError headerError = checkHeader(buffer, at);
            if (headerError != null) {
                assembler.error(headerError);
                return;
            }
            int type = typeAt(buffer, at);
            if (type >= AGGREGATION && type <= PACI) {
                assembler.error(DepacketizerError.MALFORMED_AGGREGATION);
                return;
            }
            at += size;
        }
        for (int at = position; at < end; ) {
            int size = u16(buffer, at);
            at += 2;
            int type = typeAt(buffer, at);
            if (type > PACI) {
                assembler.error(DepacketizerError.IGNORED_NAL_TYPE);
            } else {
                assembler.completeNal(buffer, at, size, roleOf(type), startsPicture(type, buffer, at + 2, at + size));
            }
            at += size;
        }
    }

    /** Fragmentation unit: payload header (type 49), FU header (S, E, type), then a piece of the body. */
    private void parseFragment(ByteBuffer buffer, int offset, int length) {
        if (length < 3) {
            assembler.error(DepacketizerError.MALFORMED_FRAGMENT);
            return;
        }
        int fuHeader = buffer.get(offset + 2) & 0xff;
        boolean start = (fuHeader & 0x80) != 0;
        boolean end = (fuHeader & 0x40) != 0;
        int type = fuHeader & 0x3f;
        if (type >= AGGREGATION) {
            assembler.error(DepacketizerError.MALFORMED_FRAGMENT);
            return;
        }
        int data = offset + 3;
        int dataEnd = offset + length;
        if (start) {
            // The NAL header is the payload header with the FU's type in place of 49.
            int first = (buffer.get(offset) & 0x81) | (type << 1);
            int header = (first << 8) | (buffer.get(offset + 1) & 0xff);
            assembler.beginFragmentedNal(header, 2, roleOf(type), startsPicture(type, buffer, data, dataEnd));
        } else if (!assembler.fragmentOpen()) {
            assembler.error(DepacketizerError.FRAGMENT_WITHOUT_START);
            return;
        } else if (((assembler.openFragmentHeader() >> 9) & 0x3f) != type) {
            assembler.error(DepacketizerError.FRAGMENT_TYPE_MISMATCH);
            return;
        }
        assembler.appendFragment(buffer, data, dataEnd - data);
        if (end) {
            assembler.endFragmentedNal();
        }
    }

    /** The 2-byte NAL unit header: forbidden_zero_bit, type (6), nuh_layer_id (6), nuh_temporal_id_plus1 (3). */
    private static DepacketizerError checkHeader(ByteBuffer buffer, int at) {
        if ((buffer.get(at) & 0x80) != 0) {
            return DepacketizerError.FORBIDDEN_BIT_SET;
        }
        if ((buffer.get(at + 1) & 0x07) == 0) {
            return DepacketizerError.BAD_TEMPORAL_ID;
        }
        return null;
    }

    private static int typeAt(ByteBuffer buffer, int at) {
        return (buffer.get(at) >> 1) & 0x3f;
    }

    private static NalRole roleOf(int type) {
        if (type >= FIRST_IRAP && type <= LAST_IRAP) {
            return NalRole.KEYFRAME_SLICE;
        }
        if (type < FIRST_NON_VCL) {
            return NalRole.SLICE;
        }
        return switch (type) {
            case VPS -> NalRole.VIDEO_PARAMETER_SET;
            case SPS -> NalRole.SEQUENCE_PARAMETER_SET;
            case PPS -> NalRole.PICTURE_PARAMETER_SET;
            case AUD -> NalRole.ACCESS_UNIT_DELIMITER;
            default -> NalRole.OTHER;
        };
    }

    /** A slice segment header opens with first_slice_segment_in_pic_flag. */
    private static boolean startsPicture(int type, ByteBuffer buffer, int bodyStart, int end) {
        return type < FIRST_NON_VCL && bodyStart < end && (buffer.get(bodyStart) & 0x80) != 0;
    }

    private static int u16(ByteBuffer buffer, int index) {
        return ((buffer.get(index) & 0xff) << 8) | (buffer.get(index + 1) & 0xff);
    }
}
