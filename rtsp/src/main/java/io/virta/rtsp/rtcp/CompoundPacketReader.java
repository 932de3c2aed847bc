package io.virta.rtsp.rtcp;

import java.nio.ByteBuffer;

/**
 * Walks the packets of a compound RTCP datagram in place, validating each header as RFC 3550 A.2
 * describes. A flyweight: reuse one instance, {@link #wrap} each datagram, and read the current
 * packet's fields until the next {@link #next()}; nothing is copied or allocated.
 *
 * <pre>{@code
 * reader.wrap(datagram);
 * while (reader.next()) {
 *     if (reader.isSenderReport()) {
 *         statistics.onSenderReport(reader.ntpTimestamp(), nowMicros);
 *         clock.onSenderReport(reader.ntpTimestamp(), reader.rtpTimestamp());
 *     }
 * }
 * if (reader.error() != RtcpError.NONE) errors.increment(reader.error());
 * }</pre>
 *
 * Reads bytes one at a time, so the buffer's byte order does not matter; never moves its position.
 * Packets before a malformed one are still delivered. Unlike A.2, a compound need not start with
 * SR or RR: reduced-size RTCP (RFC 5506) sends single packets, and nothing here depends on it.
 */
public final class CompoundPacketReader {
    public static final int SENDER_REPORT = 200;
    public static final int RECEIVER_REPORT = 201;
    public static final int SOURCE_DESCRIPTION = 202;
    public static final int GOODBYE = 203;
    public static final int APPLICATION = 204;

    private static final int HEADER = 4;
    private static final int SENDER_INFO = 20;
    private static final int REPORT_BLOCK = 24;

    private ByteBuffer buffer;
    private int nextOffset;
    private int end;
    private boolean delivered;
    private RtcpError error = RtcpError.NONE;

    private int offset = -1;
    private int length;
    private int packetType;
    private int count;

    /** Starts on the bytes from {@code buffer}'s position to its limit. */
    public CompoundPacketReader wrap(ByteBuffer buffer) {
        this.buffer = buffer;
        this.nextOffset = buffer.position();
        this.end = buffer.limit();
        this.delivered = false;
        this.error = RtcpError.NONE;
        this.offset = -1;
        return this;
    }

    /**
     * Moves to the next packet.
     *
     * @return false at the end of the datagram, or at malformed data (then {@link #error()} says why)
     */
    public boolean next() {
        if (buffer == null || error != RtcpError.NONE) {
            return false;
        }
        offset = -1;
        int remaining = end - nextOffset;
        if (remaining == 0) {
            if (!delivered) {
                error = RtcpError.EMPTY;
            }
            return false;
        }
        if (remaining < HEADER) {
            return fail(RtcpError.TRUNCATED_HEADER);
        }
        int first = u8(nextOffset);
        if (first >>> 6 != 2) {
            return fail(RtcpError.BAD_VERSION);
        }
        int type = u8(nextOffset + 1);
        if (type < 192 || type > 223) {
            return fail(RtcpError.NOT_RTCP);
        }
        int packetBytes = (u16(nextOffset + 2) + 1) * 4;
        if (packetBytes > remaining) {
            return fail(RtcpError.LENGTH_EXCEEDS_DATA);
        }
        int contentBytes = packetBytes;
        if ((first & 0x20) != 0) {
            if (packetBytes != remaining) {
                return fail(RtcpError.PADDING_NOT_LAST);
            }
            int padding = u8(nextOffset + packetBytes - 1);
            if (padding == 0 || padding > packetBytes - HEADER) {
                return fail(RtcpError.BAD_PADDING);
            }
            contentBytes -= padding;
        }
        int itemCount = first & 0x1f;
        RtcpError shortBy = switch (type) {
            case SENDER_REPORT -> contentBytes < 8 + SENDER_INFO + REPORT_BLOCK * itemCount
                    ? RtcpError.SENDER_REPORT_TOO_SHORT : RtcpError.NONE;
            case RECEIVER_REPORT -> contentBytes < 8 + REPORT_BLOCK * itemCount
                    ? RtcpError.RECEIVER_REPORT_TOO_SHORT : RtcpError.NONE;
            case GOODBYE -> contentBytes < HEADER + 4 * itemCount ? RtcpError.GOODBYE_TOO_SHORT : RtcpError.NONE;
            default -> RtcpError.NONE;
        };
        if (shortBy != RtcpError.NONE) {
            return fail(shortBy);
        }
        offset = nextOffset;
        length = contentBytes;
        packetType = type;
        count = itemCount;
        nextOffset += packetBytes;
        delivered = true;
        return true;
    }

    private boolean fail(RtcpError kind) {
        error = kind;
        return false;
    }

    /** {@code NONE} unless {@link #next()} stopped at malformed data. */
    public RtcpError error() {
        return error;
    }

    /** 200 SR, 201 RR, 202 SDES, 203 BYE, 204 APP, or another type in 192-223. */
    public int packetType() {
        requirePacket();
        return packetType;
    }

    /** The 5-bit count field: report blocks (SR/RR), chunks (SDES), sources (BYE), subtype (APP). */
    public int count() {
        requirePacket();
        return count;
    }

    /** Where the current packet starts in the buffer. */
    public int packetOffset() {
        requirePacket();
        return offset;
    }

    /** The current packet's size in bytes, header included, padding excluded. */
    public int packetLength() {
        requirePacket();
        return length;
    }

    public boolean isSenderReport() {
        return offset >= 0 && packetType == SENDER_REPORT;
    }

    public boolean isGoodbye() {
        return offset >= 0 && packetType == GOODBYE;
    }

    /** SR or RR: the SSRC of the source that sent this report. */
    public int reporterSsrc() {
        requireType(SENDER_REPORT, RECEIVER_REPORT);
        return i32(offset + 4);
    }

    /** SR: when the report was sent, by the sender's wall clock; see {@link NtpTime}. 0 if it has none. */
    public long ntpTimestamp() {
        requireType(SENDER_REPORT, SENDER_REPORT);
        return ((long) i32(offset + 8) << 32) | (i32(offset + 12) & 0xffff_ffffL);
    }

    /** SR: the RTP timestamp matching {@link #ntpTimestamp()}, 0 to 2^32-1. */
    public long rtpTimestamp() {
        requireType(SENDER_REPORT, SENDER_REPORT);
        return i32(offset + 16) & 0xffff_ffffL;
    }

    /** SR: RTP packets sent since the sender started (wraps at 2^32). */
    public long senderPacketCount() {
        requireType(SENDER_REPORT, SENDER_REPORT);
        return i32(offset + 20) & 0xffff_ffffL;
    }

    /** SR: payload octets sent since the sender started (wraps at 2^32). */
    public long senderOctetCount() {
        requireType(SENDER_REPORT, SENDER_REPORT);
        return i32(offset + 24) & 0xffff_ffffL;
    }

    /** BYE: how many sources are leaving. */
    public int goodbyeSourceCount() {
        requireType(GOODBYE, GOODBYE);
        return count;
    }

    /** BYE: the SSRC of leaving source {@code index} (0-based, below {@link #goodbyeSourceCount()}). */
    public int goodbyeSsrc(int index) {
        requireType(GOODBYE, GOODBYE);
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("BYE source " + index + " of " + count);
        }
        return i32(offset + HEADER + 4 * index);
    }

    private void requirePacket() {
        if (offset < 0) {
            throw new IllegalStateException("no current packet: call next() first and check that it returned true");
        }
    }

    private void requireType(int one, int other) {
        requirePacket();
        if (packetType != one && packetType != other) {
            throw new IllegalStateException("the current packet is type " + packetType + ", not " + one);
        }
    }

    private int u8(int index) {
        return buffer.get(index) & 0xff;
    }

    private int u16(int index) {
        return u8(index) << 8 | u8(index + 1);
    }

    private int i32(int index) {
        return u8(index) << 24 | u8(index + 1) << 16 | u8(index + 2) << 8 | u8(index + 3);
    }
}
