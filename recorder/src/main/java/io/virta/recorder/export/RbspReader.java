package io.virta.recorder.export;

/**
 * Reads the bits of one NAL unit's payload (its RBSP), passing over the emulation prevention bytes
 * ({@code 00 00 03}) of ITU-T H.264 and H.265 section 7.4.1. Enough for the fields of a sequence
 * parameter set that an MP4 or Matroska decoder configuration needs.
 *
 * <p><b>Hostile input:</b> every read is bounded by the unit's end; reading past it, or an exp-Golomb
 * code longer than 31 leading zeros, throws {@link MalformedMediaException}, never another exception.
 * <b>Threads:</b> one. <b>Allocation:</b> none after construction.
 */
final class RbspReader {
    private final byte[] unit;
    private final int end;
    private int bytePosition;
    private int bitInByte;
    private int zeros;
    private int current = -1;

    /** Reads {@code unit[from, to)}: the NAL unit header's bytes included (callers skip them with {@link #bits}). */
    RbspReader(byte[] unit, int from, int to) {
        this.unit = unit;
        this.bytePosition = from;
        this.end = to;
    }

    int bit() throws MalformedMediaException {
        if (current < 0) {
            current = nextByte();
            bitInByte = 0;
        }
        int bit = (current >> (7 - bitInByte)) & 1;
        if (++bitInByte == 8) {
            current = -1;
        }
        return bit;
    }

    /** Up to 32 bits, most significant first, as an unsigned value. */
    long bits(int count) throws MalformedMediaException {
        long value = 0;
        for (int i = 0; i < count; i++) {
            value = (value << 1) | bit();
        }
        return value;
    }

    boolean flag() throws MalformedMediaException {
        return bit() == 1;
    }

    /** ue(v): unsigned exp-Golomb. */
    long ue() throws MalformedMediaException {
        int leadingZeros = 0;
        while (bit() == 0) {
            if (++leadingZeros > 31) {
                throw new MalformedMediaException("an exp-Golomb code with more than 31 leading zero bits");
            }
        }
        return (1L << leadingZeros) - 1 + bits(leadingZeros);
    }

    /** se(v): signed exp-Golomb. */
    long se() throws MalformedMediaException {
        long code = ue();
        return (code & 1) == 1 ? (code + 1) / 2 : -(code / 2);
    }

    /** ue(v) that must not exceed {@code max}; {@code field} names it in the error. */
    int ue(String field, int max) throws MalformedMediaException {
        long value = ue();
        if (value > max) {
            throw new MalformedMediaException(field + " is " + value + ", at most " + max + " is valid");
        }
        return (int) value;
    }

    private int nextByte() throws MalformedMediaException {
        if (bytePosition >= end) {
            throw new MalformedMediaException("the parameter set ends early (" + (end) + " bytes)");
        }
        int value = unit[bytePosition++] & 0xFF;
        if (zeros >= 2 && value == 3) { // emulation prevention byte: not part of the RBSP
            zeros = 0;
            if (bytePosition >= end) {
                throw new MalformedMediaException("the parameter set ends in an emulation prevention byte");
            }
            value = unit[bytePosition++] & 0xFF;
        }
        zeros = value == 0 ? zeros + 1 : 0;
        return value;
    }
}
