package io.virta.rtsp.rtp.h265;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.virta.rtsp.rtp.NalPacketizer;

import java.nio.ByteBuffer;

/** RFC 7798 without DONL: single NAL unit packets and fragmentation units (type 49). */
public final class H265Packetizer extends NalPacketizer {
    private static final int FU = 49;
    private static final int ACCESS_UNIT_DELIMITER = 35;

    public H265Packetizer(ByteBufAllocator allocator, int payloadType, int ssrc, int firstSequence) {
        super(allocator, payloadType, ssrc, firstSequence, DEFAULT_MAX_PAYLOAD);
    }

    @Override
    protected boolean isDelimiter(byte header) {
        return ((header >> 1) & 0x3f) == ACCESS_UNIT_DELIMITER;
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
        int type = (header0 >> 1) & 0x3f;
        packet.writeByte((header0 & 0x81) | (FU << 1));
        packet.writeByte(header1);
        packet.writeByte((first ? 0x80 : 0) | (last ? 0x40 : 0) | type);
    }
}
