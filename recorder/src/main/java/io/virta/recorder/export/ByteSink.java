package io.virta.recorder.export;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable big-endian byte array for the metadata of an export (MP4 boxes, Matroska elements), with the
 * size of a box filled in when it is closed. Metadata is small next to the video (an MP4's moov is about
 * 12 bytes per frame), so it is built whole in memory.
 *
 * <p><b>Threads:</b> one. Not for use outside the package.
 */
final class ByteSink {
    private byte[] bytes = new byte[4096];
    private int length;

    int length() {
        return length;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    ByteSink u8(int value) {
        ensure(1);
        bytes[length++] = (byte) value;
        return this;
    }

    ByteSink u16(int value) {
        return u8(value >> 8).u8(value);
    }

    ByteSink u24(int value) {
        return u8(value >> 16).u16(value);
    }

    ByteSink u32(long value) {
        return u16((int) (value >> 16)).u16((int) value);
    }

    ByteSink u64(long value) {
        return u32(value >>> 32).u32(value);
    }

    ByteSink bytes(byte[] data) {
        ensure(data.length);
        System.arraycopy(data, 0, bytes, length, data.length);
        length += data.length;
        return this;
    }

    ByteSink zeros(int count) {
        ensure(count);
        length += count; // the array is zero beyond length: it only grows, and is never written behind length
        return this;
    }

    ByteSink ascii(String text) {
        return bytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes {@code value} big-endian into the {@code width} bytes at {@code at}, which were written before. */
    void patch(int at, long value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            bytes[at + i] = (byte) value;
            value >>>= 8;
        }
    }

    /** Starts an ISO box: a 32-bit size to fill in by {@link #end}, and its type. Returns where it starts. */
    int box(String type) {
        int at = length;
        u32(0).ascii(type);
        return at;
    }

    /** Starts a full box: {@link #box} with its version and flags. */
    int fullBox(String type, int version, int flags) {
        int at = box(type);
        u8(version).u24(flags);
        return at;
    }

    /** Ends the box that started at {@code at}: its size is everything written since. */
    void end(int at) {
        patch(at, length - at, 4);
    }
}
