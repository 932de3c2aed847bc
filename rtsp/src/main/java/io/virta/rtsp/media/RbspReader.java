package io.virta.rtsp.media;

/**
 * Reads the bits of a NAL unit's payload (RBSP): fixed-width fields and Exp-Golomb codes, skipping
 * emulation-prevention bytes ({@code 00 00 03}) as it goes, so nothing is copied. A flyweight over
 * a byte array; errors name the codec and field, for messages about odd parameter sets.
 */
final class RbspReader {
    private String what;
    private byte[] data;
    private int end;
    private int bytePosition;
    private int bitPosition;
    private int zeros;
    private int current;

    /** Reads {@code data[from, end)}; {@code what} ("H264 SPS") starts every error message. */
    RbspReader wrap(String what, byte[] data, int from, int end) {
        this.what = what;
        this.data = data;
        this.end = end;
        this.bytePosition = from;
        this.bitPosition = 8;
        this.zeros = 0;
        return this;
    }

    /** The next {@code count} (at most 32) bits, as an unsigned number. */
    long bits(int count) {
        long value = 0;
        for (int i = 0; i < count; i++) {
            if (bitPosition == 8) {
                nextByte();
            }
            bitPosition++;
            value = value << 1 | (current >>> (8 - bitPosition)) & 1;
        }
        return value;
    }

    int bit() {
        return (int) bits(1);
    }

    /** An unsigned Exp-Golomb code, refused above {@code max} with the field's name. */
    int ue(int max, String field) {
        long value = golomb(field);
        if (value > max) {
            throw error(field + " is " + value + ", more than " + max);
        }
        return (int) value;
    }

    /** A signed Exp-Golomb code. */
    int se(String field) {
        long code = golomb(field);
        return (int) ((code & 1) == 1 ? (code + 1) / 2 : -(code / 2));
    }

    IllegalArgumentException error(String problem) {
        return new IllegalArgumentException(what + ": " + problem);
    }

    private long golomb(String field) {
        int leadingZeros = 0;
        while (bit() == 0) {
            if (++leadingZeros > 31) {
                throw error(field + " is not a valid Exp-Golomb code");
            }
        }
        return (1L << leadingZeros) - 1 + bits(leadingZeros);
    }

    private void nextByte() {
        if (bytePosition >= end) {
            throw error("ends early, after " + end + " bytes");
        }
        int b = data[bytePosition++] & 0xFF;
        if (zeros >= 2 && b == 3) {
            zeros = 0;
            if (bytePosition >= end) {
                throw error("ends early, after " + end + " bytes");
            }
            b = data[bytePosition++] & 0xFF;
        }
        zeros = b == 0 ? zeros + 1 : 0;
        current = b;
        bitPosition = 0;
    }
}
