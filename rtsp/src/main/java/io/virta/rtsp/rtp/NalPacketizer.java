package io.virta.rtsp.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AnnexB;

import java.nio.ByteBuffer;

/**
 * Turns access units into RTP packets for H264 (RFC 6184) and H265 (RFC 7798): a NAL unit that
 * fits is sent whole, a larger one as fragmentation units. Each packet is packed once, so a server
 * can send the same bytes to every client. Access unit delimiters are not sent (they cost a packet
 * per frame and carry nothing a receiver needs). The marker bit ends each access unit.
 */
public abstract class NalPacketizer {
    public static final int DEFAULT_MAX_PAYLOAD = 1400;
    private static final int RTP_HEADER_LENGTH = 12;

    private final ByteBufAllocator allocator;
    private final int payloadType;
    private final int ssrc;
    private final int maxPayload;
    private int sequence;

    protected NalPacketizer(ByteBufAllocator allocator, int payloadType, int ssrc, int firstSequence, int maxPayload) {
        this.allocator = allocator;
        this.payloadType = payloadType;
        this.ssrc = ssrc;
        this.sequence = firstSequence & 0xffff;
        this.maxPayload = maxPayload;
    }

    /** Sequence number the next packet will carry. */
    public int nextSequence() {
        return sequence;
    }

    /** Packetizes {@code unit} with the given 32-bit RTP timestamp. */
    public void packetize(AccessUnit unit, long rtpTimestamp, RtpPacketSink sink) {
        ByteBuffer data = unit.data();
        // Packets copy through this view by moving its position and limit, leaving the unit's buffer alone.
        ByteBuffer view = data.duplicate();
        int end = unit.size();
        int start = AnnexB.nextNalStart(data, 0, end);
        // Find the last NAL to send first, so the marker can go on its last packet.
        int lastStart = -1;
        for (int s = start; s >= 0; ) {
            int e = AnnexB.nalEnd(data, s, end);
            if (e > s && !isDelimiter(data.get(s))) {
                lastStart = s;
            }
            s = AnnexB.nextNalStart(data, e, end);
        }
        for (int s = start; s >= 0; ) {
            int e = AnnexB.nalEnd(data, s, end);
            if (e > s && !isDelimiter(data.get(s))) {
                sendNal(data, view, s, e, s == lastStart, rtpTimestamp, sink);
            }
            s = AnnexB.nextNalStart(data, e, end);
        }
    }

    private void sendNal(ByteBuffer data, ByteBuffer view, int start, int end, boolean lastNal, long timestamp, RtpPacketSink sink) {
        int length = end - start;
        if (length <= maxPayload) {
            ByteBuf packet = header(lastNal, timestamp, length);
            packet.writeBytes(view.limit(end).position(start));
            sink.onPacket(packet, lastNal);
            return;
        }
        int offset = start + nalHeaderLength();
        boolean first = true;
        while (offset < end) {
            int chunk = Math.min(maxPayload - fragmentHeaderLength(), end - offset);
            boolean last = offset + chunk == end;
            ByteBuf packet = header(lastNal && last, timestamp, fragmentHeaderLength() + chunk);
            writeFragmentHeader(packet, data, start, first, last);
            packet.writeBytes(view.limit(offset + chunk).position(offset));
            sink.onPacket(packet, lastNal && last);
            offset += chunk;
            first = false;
        }
    }

    private ByteBuf header(boolean marker, long timestamp, int payloadLength) {
        ByteBuf packet = allocator.buffer(RTP_HEADER_LENGTH + payloadLength);
        packet.writeByte(0x80);
        packet.writeByte((marker ? 0x80 : 0) | payloadType);
        packet.writeShort(sequence);
        sequence = (sequence + 1) & 0xffff;
        packet.writeInt((int) timestamp);
        packet.writeInt(ssrc);
        return packet;
    }

    protected abstract boolean isDelimiter(byte firstHeaderByte);

    protected abstract int nalHeaderLength();

    protected abstract int fragmentHeaderLength();

    /** Writes the FU indicator and header (H264) or payload and FU headers (H265) for the NAL at {@code nalStart}. */
    protected abstract void writeFragmentHeader(ByteBuf packet, ByteBuffer data, int nalStart, boolean first, boolean last);
}
