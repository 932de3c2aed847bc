package io.virta.rtsp.sdp;

/**
 * SDP that cannot be used: the message names the source, the line number, the field and what is
 * wrong, e.g. {@code "rtsp://cam/live: line 9 (a=rtpmap): clock rate \"9OOOO\" is not a number"}.
 */
public final class SdpException extends Exception {
    private final String sourceName;
    private final int lineNumber;
    private final String field;

    /** {@code lineNumber} is 1-based, or 0 where the problem is not on one line. */
    public SdpException(String sourceName, int lineNumber, String field, String problem) {
        super(message(sourceName, lineNumber, field, problem));
        this.sourceName = sourceName;
        this.lineNumber = lineNumber;
        this.field = field;
    }

    private static String message(String sourceName, int lineNumber, String field, String problem) {
        StringBuilder message = new StringBuilder(sourceName);
        if (lineNumber > 0) {
            message.append(": line ").append(lineNumber);
        }
        return message.append(" (").append(field).append("): ").append(problem).toString();
    }

    /** Where the SDP came from, as the caller named it (a URL, a file name). */
    public String sourceName() {
        return sourceName;
    }

    /** 1-based, or 0 where the problem is not on one line. */
    public int lineNumber() {
        return lineNumber;
    }

    /** The field or attribute at fault, e.g. {@code "m="}, {@code "a=fmtp sprop-parameter-sets"}. */
    public String field() {
        return field;
    }
}
