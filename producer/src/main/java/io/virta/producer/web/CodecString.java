package io.virta.producer.web;

import java.util.Locale;

/**
 * The RFC 6381 {@code codecs} parameter of an init segment ({@code avc1.64001F},
 * {@code hvc1.1.6.L93.B0}), which the browser's {@code MediaSource.isTypeSupported} and
 * {@code addSourceBuffer} need. Read from the avcC or hvcC box, so it describes exactly what the
 * muxer wrote.
 */
final class CodecString {
    private CodecString() {
    }

    /** The codecs string of the init segment {@code init}; null if it has neither avcC nor hvcC. */
    static String of(byte[] init) {
        int avcC = find(init, "avcC");
        if (avcC >= 0 && avcC + 8 <= init.length) {
            // AVCDecoderConfigurationRecord: version, profile, compatibility, level
            return String.format(Locale.ROOT, "avc1.%02X%02X%02X", init[avcC + 5], init[avcC + 6], init[avcC + 7]);
        }
        int hvcC = find(init, "hvcC");
        if (hvcC >= 0 && hvcC + 17 <= init.length) {
            return hevc(init, hvcC + 4);
        }
        return null;
    }

    /** ISO/IEC 14496-15 annex E: profile, reversed compatibility flags, tier and level, constraint bytes. */
    private static String hevc(byte[] b, int record) {
        int profileByte = b[record + 1] & 0xFF;
        String space = new String[] {"", "A", "B", "C"}[profileByte >> 6];
        int profile = profileByte & 0x1F;
        boolean highTier = (profileByte & 0x20) != 0;
        long compatibility = 0;
        for (int i = 0; i < 4; i++) {
            compatibility = compatibility << 8 | (b[record + 2 + i] & 0xFF);
        }
        long reversed = Integer.toUnsignedLong(Integer.reverse((int) compatibility));
        int level = b[record + 12] & 0xFF;
        StringBuilder s = new StringBuilder("hvc1.").append(space).append(profile).append('.')
                .append(Long.toHexString(reversed).toUpperCase(Locale.ROOT)).append('.')
                .append(highTier ? 'H' : 'L').append(level);
        int last = 5;
        while (last >= 0 && b[record + 6 + last] == 0) {
            last--;
        }
        for (int i = 0; i <= Math.max(0, last); i++) {
            s.append('.').append(Integer.toHexString(b[record + 6 + i] & 0xFF).toUpperCase(Locale.ROOT));
        }
        return s.toString();
    }

    /** Offset of the first occurrence of the box type {@code type} (its four characters), or -1. */
    private static int find(byte[] b, String type) {
        outer:
        for (int i = 4; i + 4 <= b.length; i++) {
            for (int k = 0; k < 4; k++) {
                if (b[i + k] != type.charAt(k)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
