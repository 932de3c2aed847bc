package io.virta.rtsp.rtp.h265;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.virta.rtsp.media.H265NalType;
import io.virta.rtsp.rtp.NalPacketizer;

import java.nio.ByteBuffer;

/** RFC 7798 without DONL: single NAL unit packets and fragmentation units (type 49). */
public final class H265Packetizer extends NalPacketizer {
    public H265Packetizer(ByteBufAllocator allocator, int payloadType, int ssrc, int firstSequence) {
        super(allocator, payloadType, ssrc, firstSequence, DEFAULT_MAX_PAYLOAD);
    }

    @Override
    protected boolean isDelimiter(byte header) {
        return H265NalType.ofHeader(header) == H265NalType.ACCESS_UNIT_DELIMITER;
    }

    @Override
    protected int nalHeaderLength() {
        return 2;
    }

    @Override
    protected int fragmentHeaderLength() {
        return 3;
    }

    @Override
    protected void writeFragmentHeader(ByteBuf packet, ByteBuffer data, int nalStart, boolean first, boolean last) {
        byte header0 = data.get(nalStart);
        byte header1 = data.get(nalStart + 1);
        packet.writeByte((header0 & H265NalType.F_AND_LAYER_MASK) | (H265NalType.FRAGMENTATION_UNIT.value() << 1));
        packet.writeByte(header1);
        packet.writeByte((first ? 0x80 : 0) | (last ? 0x40 : 0) | H265NalType.ofHeader(header0).value());
    }
}
