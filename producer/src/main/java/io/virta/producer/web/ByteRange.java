package io.virta.producer.web;

/**
 * The part of a file an HTTP {@code Range} header asks for (RFC 9110 section 14): one range,
 * {@code bytes=FIRST-LAST}, {@code bytes=FIRST-} or {@code bytes=-SUFFIX}, resolved against the file's
 * length. Several ranges, another unit or bad syntax are {@link Kind#WHOLE} (the server may ignore a
 * Range it does not serve, and answers 200 with the whole file); a range that starts past the end is
 * {@link Kind#UNSATISFIABLE} (416).
 *
 * <p><b>Hostile input:</b> any header text gives one of the three kinds; numbers too long for a long
 * are WHOLE. Immutable.
 *
 * <pre>{@code
 * ByteRange range = ByteRange.of(request.headers().get("Range"), file.length());
 * }</pre>
 *
 * @param first the first byte sent
 * @param length how many bytes from {@code first}
 */
record ByteRange(Kind kind, long first, long length) {
    enum Kind { WHOLE, PART, UNSATISFIABLE }

    /** The range {@code header} (null without one) asks for of a file of {@code fileLength} bytes. */
    static ByteRange of(String header, long fileLength) {
        ByteRange whole = new ByteRange(Kind.WHOLE, 0, fileLength);
        if (header == null) {
            return whole;
        }
        String value = header.strip();
        if (!value.regionMatches(true, 0, "bytes=", 0, 6) || value.indexOf(',') >= 0) {
            return whole;
        }
        String spec = value.substring(6).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return whole;
        }
        long first = number(spec.substring(0, dash).strip());
        long last = number(spec.substring(dash + 1).strip());
        if (dash == 0) {
            if (last < 0) {
                return whole;
            }
            if (last == 0 || fileLength == 0) {
                return new ByteRange(Kind.UNSATISFIABLE, 0, 0);
            }
            long length = Math.min(last, fileLength);
            return new ByteRange(Kind.PART, fileLength - length, length);
        }
        if (first < 0 || (dash < spec.length() - 1 && (last < 0 || last < first))) {
            return whole;
        }
        if (first >= fileLength) {
            return new ByteRange(Kind.UNSATISFIABLE, 0, 0);
        }
        long end = dash == spec.length() - 1 ? fileLength - 1 : Math.min(last, fileLength - 1);
        return new ByteRange(Kind.PART, first, end - first + 1);
    }

    /** A run of digits as a number; -1 when empty, not digits, or too long. */
    private static long number(String digits) {
        if (digits.isEmpty() || digits.length() > 18) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(digits);
    }
}
