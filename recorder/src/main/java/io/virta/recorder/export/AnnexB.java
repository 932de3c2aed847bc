package io.virta.recorder.export;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the NAL units of an Annex-B access unit (ITU-T H.264 and H.265 Annex B): each starts after a
 * {@code 00 00 01} start code and ends before the next start code, its trailing zero bytes (the extra
 * zero of a 4-byte start code, {@code trailing_zero_8bits}) not included. The units' bytes are left
 * where they are: an export writes them byte-exact, each behind a 4-byte length instead of its start code
 * (ISO/IEC 14496-15 section 4.3.3; Matroska's AVC and HEVC tracks use the same framing).
 *
 * <p><b>Hostile input:</b> an access unit that does not start with a start code (after optional zero
 * bytes), or that splits into more than {@value #MAX_UNITS} units, is refused with a
 * {@link MalformedMediaException}; empty units ({@code 00 00 01 00 00 01}) are passed over. Every read is
 * within the buffer's limit. <b>Threads:</b> stateless. <b>Allocation:</b> none in {@link #scan}.
 *
 * <pre>{@code
 * int units = AnnexB.scan(payload, (offset, length) -> table.addUnit(offset, length));
 * }</pre>
 */
public final class AnnexB {
    /** More NAL units than any real picture has slices; more is damage, and would make the sample tables huge. */
    static final int MAX_UNITS = 4096;

    private AnnexB() {
    }

    /** Receives each NAL unit: its offset from the buffer's position and its length, start code excluded. */
    @FunctionalInterface
    public interface UnitSink {
        void unit(int offset, int length);
    }

    /**
     * Reports every NAL unit of {@code accessUnit}'s remaining bytes (position and limit unchanged).
     *
     * @return how many units were reported
     * @throws MalformedMediaException when the bytes are no Annex-B access unit
     */
    public static int scan(ByteBuffer accessUnit, UnitSink sink) throws MalformedMediaException {
        int base = accessUnit.position();
        int limit = accessUnit.limit();
        int first = firstUnitStart(accessUnit, base, limit);
        if (first < 0) {
            throw new MalformedMediaException("an access unit of " + (limit - base)
                    + " bytes that does not start with an Annex-B start code (00 00 01)");
        }
        int units = 0;
        int unitStart = first;
        int i = first + 2;
        int wordLimit = limit - Long.BYTES + 2;
        while (i < limit) {
            // eight bytes without a zero among them: no start code ends at i .. i+7 (each needs a zero two before it)
            if (i < wordLimit && !hasZeroByte(accessUnit.getLong(i - 2))) {
                i += Long.BYTES;
                continue;
            }
            int b = accessUnit.get(i);
            if (b > 1 || b < 0) {           // no start code can end at i, i+1 or i+2
                i += 3;
            } else if (b == 0) {
                i++;
            } else if (accessUnit.get(i - 1) == 0 && accessUnit.get(i - 2) == 0 && i - 2 >= unitStart) {
                units = report(accessUnit, base, unitStart, i - 2, sink, units);
                unitStart = i + 1;
                i += 3;
            } else {
                i += 3;
            }
        }
        units = report(accessUnit, base, unitStart, limit, sink, units);
        if (units == 0) {
            throw new MalformedMediaException("an access unit of " + (limit - base) + " bytes without a NAL unit");
        }
        return units;
    }

    /** True when one of the eight bytes of {@code word} is zero (the carry trick of Hacker's Delight, 6-1). */
    private static boolean hasZeroByte(long word) {
        return ((word - 0x0101_0101_0101_0101L) & ~word & 0x8080_8080_8080_8080L) != 0;
    }

    /** The offset just after the first start code, if only zero bytes come before it; else -1. */
    private static int firstUnitStart(ByteBuffer buffer, int from, int limit) {
        int i = from;
        while (i < limit && buffer.get(i) == 0) {
            i++;
        }
        return i < limit && i - from >= 2 && buffer.get(i) == 1 ? i + 1 : -1;
    }

    private static int report(ByteBuffer buffer, int base, int start, int end, UnitSink sink, int units)
            throws MalformedMediaException {
        while (end > start && buffer.get(end - 1) == 0) {
            end--;
        }
        if (end == start) {
            return units;
        }
        if (units == MAX_UNITS) {
            throw new MalformedMediaException("an access unit of more than " + MAX_UNITS + " NAL units");
        }
        sink.unit(start - base, end - start);
        return units + 1;
    }

    /** The NAL units of {@code bytes} as separate arrays (parameter sets: small, once per segment). */
    public static List<byte[]> units(byte[] bytes) throws MalformedMediaException {
        List<byte[]> units = new ArrayList<>();
        if (bytes.length == 0) {
            return units;
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        scan(buffer, (offset, length) -> {
            byte[] unit = new byte[length];
            System.arraycopy(bytes, offset, unit, 0, length);
            units.add(unit);
        });
        return units;
    }
}
