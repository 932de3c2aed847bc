package io.virta.producer.mux.fmp4;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Writes ISO BMFF boxes (big-endian) into a memory segment, a flyweight: {@link #wrap} points it at
 * a destination, {@link #start} opens a box and {@link #end} writes its size once its content is
 * known. Nesting is tracked in a small fixed stack, so writing allocates nothing.
 */
public final class BoxWriter {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** moov/trak/mdia/minf/stbl/stsd/avc1/avcC is the deepest path written: 8, with room to spare. */
    private static final int MAX_DEPTH = 16;

    private final long[] open = new long[MAX_DEPTH];
    private int depth;
    private MemorySegment out;
    private long position;

    /** Writes from {@code offset} of {@code out} on; forgets boxes left open before. */
    public BoxWriter wrap(MemorySegment out, long offset) {
        this.out = out;
        this.position = offset;
        this.depth = 0;
        return this;
    }

    public long position() {
        return position;
    }

    /** Boxes opened and not yet ended. */
    public int depth() {
        return depth;
    }

    /** Opens a box of {@code type} (see {@link FourCc}); its 32-bit size is written by {@link #end}. */
    public BoxWriter start(int type) {
        if (depth == MAX_DEPTH) {
            throw new IllegalStateException("boxes nested deeper than " + MAX_DEPTH);
        }
        open[depth++] = position;
        u32(0);
        return u32(type);
    }

    /** Opens a full box: a box whose content starts with a version byte and 24 bits of flags. */
    public BoxWriter startFull(int type, int version, int flags) {
        start(type);
        return u32(version << 24 | flags & 0xFF_FFFF);
    }

    /** Closes the innermost open box, writing its size. */
    public BoxWriter end() {
        if (depth == 0) {
            throw new IllegalStateException("no open box to end");
        }
        long start = open[--depth];
        out.set(U32, start, (int) (position - start));
        return this;
    }

    public BoxWriter u8(int value) {
        out.set(ValueLayout.JAVA_BYTE, position, (byte) value);
        position += 1;
        return this;
    }

    public BoxWriter u16(int value) {
        out.set(U16, position, (short) value);
        position += 2;
        return this;
    }

    public BoxWriter u32(int value) {
        out.set(U32, position, value);
        position += 4;
        return this;
    }

    public BoxWriter u64(long value) {
        out.set(U64, position, value);
        position += 8;
        return this;
    }

    /** Overwrites the 32-bit value at {@code at}, for fields known only later (trun's data offset). */
    public BoxWriter patchU32(long at, int value) {
        out.set(U32, at, value);
        return this;
    }

    public BoxWriter zeros(int count) {
        // Field by field rather than fill() on a slice: a slice is an object, and this runs per init segment.
        int left = count;
        for (; left >= 8; left -= 8) {
            u64(0);
        }
        for (; left > 0; left--) {
            u8(0);
        }
        return this;
    }

    public BoxWriter bytes(byte[] source, int offset, int length) {
        MemorySegment.copy(source, offset, out, ValueLayout.JAVA_BYTE, position, length);
        position += length;
        return this;
    }

    public BoxWriter bytes(MemorySegment source, long offset, long length) {
        MemorySegment.copy(source, offset, out, position, length);
        position += length;
        return this;
    }
}
