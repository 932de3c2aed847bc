package io.virta.rtsp.rtp.h265;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.H265NalType;
import io.virta.rtsp.media.NalUnitType;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.rtp.AccessUnitAssembler;
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
    private static final int TEMPORAL_ID_PLUS1_MASK = 0x07;


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
        super(VideoCodec.H265, H265NalType.AGGREGATION_PACKET, H265NalType.FRAGMENTATION_UNIT, unit, lossPolicy,
                listener);
        setParameterSets(parameterSets);
    }

    @Override
    protected String parameterSetKinds() {
        return "a VPS (type " + H265NalType.VPS.value() + "), SPS (type " + H265NalType.SPS.value()
                + ") or PPS (type " + H265NalType.PPS.value() + ")";
    }

    /**
     * The 2-byte NAL unit header: forbidden_zero_bit, type (6), nuh_layer_id (6), nuh_temporal_id_plus1 (3),
     * which must not be 0.
     */
    @Override
    protected boolean headerValid(ByteBuffer buffer, int at) {
        if (!super.headerValid(buffer, at)) {
            return false;
        }
        if ((buffer.get(at + 1) & TEMPORAL_ID_PLUS1_MASK) == 0) {
            assembler.error(DepacketizerError.BAD_TEMPORAL_ID);
            return false;
        }
        return true;
    }

    /** The FU header: S, E, then the type in the low 6 bits. */
    @Override
    protected H265NalType fragmentedType(int fuHeader) {
        return H265NalType.of(fuHeader & H265NalType.TYPE_MASK);
    }

    /** The payload header with the fragmented NAL unit's type in place of the FU's. */
    @Override
    protected int fragmentedNalHeader(ByteBuffer buffer, int offset, NalUnitType type) {
        int first = (buffer.get(offset) & H265NalType.F_AND_LAYER_MASK) | (type.value() << 1);
        return (first << 8) | (buffer.get(offset + 1) & 0xff);
    }
}
