package io.virta.rtsp.rtp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Test-only Annex-B helpers: split a byte stream into NAL units and access units, and join them back. */
public final class AnnexB {
    private AnnexB() {
    }

    /** The NAL units between start codes (3- or 4-byte), without the start codes or trailing zero bytes. */
    public static List<byte[]> splitNalUnits(byte[] stream) {
        List<byte[]> nals = new ArrayList<>();
        int start = -1;
        int i = 0;
        while (i + 2 < stream.length) {
            if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1) {
                if (start >= 0) {
                    nals.add(trimmed(stream, start, i));
                }
                i += 3;
                start = i;
            } else {
                i++;
            }
        }
        if (start >= 0) {
            nals.add(trimmed(stream, start, stream.length));
        }
        return nals;
    }

    private static byte[] trimmed(byte[] stream, int from, int to) {
        while (to > from && stream[to - 1] == 0) {
            to--;
        }
        return java.util.Arrays.copyOfRange(stream, from, to);
    }

    /** Groups NAL units into access units, each starting at an access unit delimiter. */
    public static List<List<byte[]>> splitAtDelimiters(List<byte[]> nals, java.util.function.Predicate<byte[]> isDelimiter) {
        List<List<byte[]>> units = new ArrayList<>();
        List<byte[]> current = null;
        for (byte[] nal : nals) {
            if (current == null || isDelimiter.test(nal)) {
                current = new ArrayList<>();
                units.add(current);
            }
            current.add(nal);
        }
        return units;
    }

    /** NAL units joined with 4-byte start codes: the form depacketizers emit. */
    public static byte[] join(List<byte[]> nals) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] nal : nals) {
            out.write(0);
            out.write(0);
            out.write(0);
            out.write(1);
            out.writeBytes(nal);
        }
        return out.toByteArray();
    }

    public static int h264Type(byte[] nal) {
        return nal[0] & 0x1f;
    }

    public static int h265Type(byte[] nal) {
        return (nal[0] >> 1) & 0x3f;
    }
}
