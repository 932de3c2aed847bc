package io.virta.rtsp.rtcp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The SDES packet with one chunk, our CNAME, that ends every compound RTCP packet we send
 * (RFC 3550 6.1, 6.5). Written at an absolute index, without allocating.
 */
final class SourceDescription {
    private static final int CNAME_ITEM = 1;

    private final int ssrc;
    private final byte[] cname;
    private final int length;

    /** @param cname our canonical name, e.g. {@code virta@host}: 1 to 255 bytes of UTF-8 */
    SourceDescription(int ssrc, String cname) {
        this.ssrc = ssrc;
        this.cname = cname.getBytes(StandardCharsets.UTF_8);
        if (this.cname.length == 0 || this.cname.length > 255) {
            throw new IllegalArgumentException("a CNAME takes 1 to 255 bytes, not " + this.cname.length);
        }
        // Chunk: SSRC, type, length, text, then 1-4 zero bytes ending the item list at a 32-bit boundary.
        int chunk = 4 + 2 + this.cname.length;
        this.length = 4 + ((chunk + 4) & ~3);
    }

    int length() {
        return length;
    }

    void write(ByteBuffer out, int at) {
        putU8(out, at, 0x80 | 1);
        putU8(out, at + 1, CompoundPacketReader.SOURCE_DESCRIPTION);
        putU16(out, at + 2, length / 4 - 1);
        putI32(out, at + 4, ssrc);
        putU8(out, at + 8, CNAME_ITEM);
        putU8(out, at + 9, cname.length);
        out.put(at + 10, cname);
        for (int zero = at + 10 + cname.length; zero < at + length; zero++) {
            putU8(out, zero, 0);
        }
    }

    static void putU8(ByteBuffer out, int index, int value) {
        out.put(index, (byte) value);
    }

    static void putU16(ByteBuffer out, int index, int value) {
        out.put(index, (byte) (value >>> 8));
        out.put(index + 1, (byte) value);
    }

    static void putI32(ByteBuffer out, int index, int value) {
        out.put(index, (byte) (value >>> 24));
        out.put(index + 1, (byte) (value >>> 16));
        out.put(index + 2, (byte) (value >>> 8));
        out.put(index + 3, (byte) value);
    }
}
