package io.virta.rtsp.rtp.h264;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.virta.rtsp.media.H264NalType;
import io.virta.rtsp.rtp.NalPacketizer;

import java.nio.ByteBuffer;

/** RFC 6184, packetization-mode 1: single NAL unit packets and FU-A. */
public final class H264Packetizer extends NalPacketizer {
    public H264Packetizer(ByteBufAllocator allocator, int payloadType, int ssrc, int firstSequence) {
        super(allocator, payloadType, ssrc, firstSequence, DEFAULT_MAX_PAYLOAD);
    }

    @Override
    protected boolean isDelimiter(byte header) {
        return H264NalType.ofHeader(header) == H264NalType.ACCESS_UNIT_DELIMITER;
    }

    @Override
    protected int nalHeaderLength() {
        return 1;
    }

    @Override
    protected int fragmentHeaderLength() {
        return 2;
    }

    @Override
    protected void writeFragmentHeader(ByteBuf packet, ByteBuffer data, int nalStart, boolean first, boolean last) {
        byte header = data.get(nalStart);
        packet.writeByte((header & H264NalType.F_AND_NRI_MASK) | H264NalType.FU_A.value());
        packet.writeByte((first ? 0x80 : 0) | (last ? 0x40 : 0) | H264NalType.ofHeader(header).value());
    }
}
