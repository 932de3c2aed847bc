package io.virta.hub.validate;

/** Helpers for quoting untrusted text in error messages. */
final class Text {
    private static final int MAX_QUOTED = 80;

    private Text() {
    }

    /** {@code s}, shortened for a message, with control characters shown as '?'. */
    static String clip(String s) {
        String shown = s.length() > MAX_QUOTED ? s.substring(0, MAX_QUOTED) + "..." : s;
        StringBuilder out = new StringBuilder(shown.length());
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return out.toString();
    }

    /** Length in Unicode characters (code points), as the contract counts. */
    static int characters(String s) {
        return s.codePointCount(0, s.length());
    }

    /** Length of {@code s} in UTF-8, without encoding it. */
    static int utf8Bytes(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
