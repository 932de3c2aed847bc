package io.virta.rtsp.rtp;

import java.nio.ByteBuffer;

/** Builds RTP packets by hand for tests. */
public final class RtpPackets {
    public static final int PAYLOAD_TYPE = 96;
    public static final int SSRC = 0x1234_5678;

    private RtpPackets() {
    }

    /** A plain packet (no CSRC, extension or padding) in a heap buffer, position 0. */
    public static ByteBuffer packet(int sequenceNumber, long timestamp, boolean marker, byte[] payload) {
        ByteBuffer buffer = ByteBuffer.allocate(RtpPacket.FIXED_HEADER_LENGTH + payload.length);
        buffer.put((byte) 0x80)
                .put((byte) ((marker ? 0x80 : 0) | PAYLOAD_TYPE))
                .putShort((short) sequenceNumber)
                .putInt((int) timestamp)
                .putInt(SSRC)
                .put(payload)
                .flip();
        return buffer;
    }

    /** Wraps a buffer, failing the test if it is not valid RTP. */
    public static RtpPacket wrap(ByteBuffer buffer) {
        RtpPacket packet = new RtpPacket();
        if (!packet.wrap(buffer)) {
            throw new AssertionError("not a valid RTP packet: " + packet.error());
        }
        return packet;
    }

    public static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    public static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
