package io.virta.rtsp.rtcp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds test packets field by field, big-endian, as RFC 3550 draws them. */
final class PacketBytes {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    PacketBytes u8(int value) {
        bytes.write(value);
        return this;
    }

    PacketBytes u16(int value) {
        return u8(value >>> 8).u8(value);
    }

    PacketBytes u32(long value) {
        return u16((int) (value >>> 16) & 0xffff).u16((int) value & 0xffff);
    }

    PacketBytes text(String text) {
        bytes.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** First header byte: version 2, padding bit, 5-bit count. */
    PacketBytes header(boolean padding, int count, int packetType, int lengthInWordsMinusOne) {
        return u8(0x80 | (padding ? 0x20 : 0) | count).u8(packetType).u16(lengthInWordsMinusOne);
    }

    PacketBytes append(PacketBytes other) {
        bytes.writeBytes(other.array());
        return this;
    }

    byte[] array() {
        return bytes.toByteArray();
    }

    ByteBuffer buffer() {
        return ByteBuffer.wrap(array());
    }

    /** A sender report with no report blocks: 28 bytes, length field 6. */
    static PacketBytes senderReport(long ssrc, long ntp, long rtp, long packets, long octets) {
        return new PacketBytes().header(false, 0, 200, 6).u32(ssrc).u32(ntp >>> 32).u32(ntp).u32(rtp)
                .u32(packets).u32(octets);
    }

    /** An SDES with one chunk holding one CNAME item, zero-padded to a 32-bit boundary. */
    static PacketBytes cname(long ssrc, String cname) {
        int chunk = 4 + 2 + cname.length();
        int padded = (chunk + 4) & ~3;
        PacketBytes packet = new PacketBytes().header(false, 1, 202, padded / 4).u32(ssrc).u8(1).u8(cname.length())
                .text(cname);
        for (int i = chunk; i < padded; i++) {
            packet.u8(0);
        }
        return packet;
    }
}
