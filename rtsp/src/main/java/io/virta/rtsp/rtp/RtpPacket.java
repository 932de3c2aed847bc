package io.virta.rtsp.rtp;

import java.nio.ByteBuffer;

/**
 * A view of one RTP packet (RFC 3550) inside a buffer the caller owns: a flyweight that parses the
 * header in place, copies nothing and allocates nothing, so one instance serves a whole stream.
 *
 * <pre>
 *   RtpPacket packet = new RtpPacket();
 *   if (packet.wrap(datagram)) {
 *       handler.onPacket(packet);
 *   } else {
 *       malformed[packet.error().ordinal()]++;
 *   }
 * </pre>
 *
 * <p>{@link #wrap} reads {@code buffer[position, limit)} with absolute gets: it changes neither the
 * buffer's position, limit nor byte order. Offsets returned here are absolute indices into
 * {@link #buffer()}. The view is valid as long as the caller leaves those bytes alone.
 */
public final class RtpPacket {
    /** The fixed header: V/P/X/CC, M/PT, sequence number, timestamp, SSRC. */
    public static final int FIXED_HEADER_LENGTH = 12;
    /** The largest RTP packet any transport here can carry (the 16-bit TCP-interleaved length). */
    public static final int MAX_PACKET_LENGTH = 65_535;

    private ByteBuffer buffer;
    private int packetOffset;
    private int packetLength;
    private int payloadOffset;
    private int payloadLength;
    private int extensionOffset = -1;
    private int extensionLength;
    private RtpError error = RtpError.NONE;

    /**
     * Parses the packet in {@code buffer[position, limit)}. Returns false, with {@link #error()} saying
     * why, for a packet that is not valid RTP; the accessors are then meaningless.
     */
    public boolean wrap(ByteBuffer buffer) {
        this.buffer = buffer;
        int start = buffer.position();
        int end = buffer.limit();
        int length = end - start;
        packetOffset = start;
        packetLength = length;
        payloadOffset = start;
        payloadLength = 0;
        extensionOffset = -1;
        extensionLength = 0;
        if (length < FIXED_HEADER_LENGTH) {
            return fail(RtpError.TOO_SHORT);
        }
        int first = u8(start);
        if ((first >>> 6) != 2) {
            return fail(RtpError.BAD_VERSION);
        }
        int payloadType = u8(start + 1) & 0x7f;
        if (payloadType >= 72 && payloadType <= 76) {
            return fail(RtpError.RTCP_PAYLOAD_TYPE);
        }
        int offset = start + FIXED_HEADER_LENGTH + 4 * (first & 0x0f);
        if (offset > end) {
            return fail(RtpError.BAD_CSRC_COUNT);
        }
        if ((first & 0x10) != 0) {
            if (offset + 4 > end) {
                return fail(RtpError.BAD_EXTENSION_LENGTH);
            }
            int words = u16(offset + 2);
            extensionOffset = offset + 4;
            extensionLength = 4 * words;
            offset = extensionOffset + extensionLength;
            if (offset > end) {
                return fail(RtpError.BAD_EXTENSION_LENGTH);
            }
        }
        int payloadEnd = end;
        if ((first & 0x20) != 0) {
            // The count includes the count byte itself, so 0 is impossible.
            int padding = offset < end ? u8(end - 1) : 0;
            if (padding == 0 || padding > end - offset) {
                return fail(RtpError.BAD_PADDING);
            }
            payloadEnd = end - padding;
        }
        payloadOffset = offset;
        payloadLength = payloadEnd - offset;
        error = RtpError.NONE;
        return true;
    }

    private boolean fail(RtpError why) {
        error = why;
        extensionOffset = -1;
        extensionLength = 0;
        return false;
    }

    /** Why the last {@link #wrap} failed; {@link RtpError#NONE} after a success. */
    public RtpError error() {
        return error;
    }

    public int payloadType() {
        return u8(packetOffset + 1) & 0x7f;
    }

    /** The marker bit: for video, the last packet of an access unit (not every camera sets it). */
    public boolean marker() {
        return (u8(packetOffset + 1) & 0x80) != 0;
    }

    /** 0..65535. */
    public int sequenceNumber() {
        return u16(packetOffset + 2);
    }

    /** 0..2^32-1, in the payload format's clock rate. */
    public long timestamp() {
        return ((long) u16(packetOffset + 4) << 16) | u16(packetOffset + 6);
    }

    /** The synchronization source, as an unsigned 32-bit value held in an int. */
    public int ssrc() {
        return (u16(packetOffset + 8) << 16) | u16(packetOffset + 10);
    }

    public int csrcCount() {
        return u8(packetOffset) & 0x0f;
    }

    public boolean hasExtension() {
        return extensionOffset >= 0;
    }

    /** The 16-bit "defined by profile" field of the header extension; 0 without one. */
    public int extensionProfile() {
        return hasExtension() ? u16(extensionOffset - 4) : 0;
    }

    /** Absolute index of the header extension's data (after its 4-byte header); -1 without one. */
    public int extensionOffset() {
        return extensionOffset;
    }

    public int extensionLength() {
        return extensionLength;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    /** Absolute index of the packet's first byte (the buffer's position at {@link #wrap}). */
    public int packetOffset() {
        return packetOffset;
    }

    /** The whole packet, header to padding. */
    public int packetLength() {
        return packetLength;
    }

    /** Absolute index of the payload: after the CSRCs and the header extension. */
    public int payloadOffset() {
        return payloadOffset;
    }

    /** Payload bytes, padding excluded. */
    public int payloadLength() {
        return payloadLength;
    }

    private int u8(int index) {
        return buffer.get(index) & 0xff;
    }

    private int u16(int index) {
        return (u8(index) << 8) | u8(index + 1);
    }
}
