package io.virta.rtsp.client;

/**
 * Why a session failed. {@link Kind} lets a supervisor choose: retry later, or tell the user to fix
 * the configuration (a wrong password will not fix itself).
 */
public final class RtspSessionException extends Exception {
    public enum Kind {
        /** Connection refused, host unreachable, DNS: retry later. */
        UNREACHABLE,
        /** Connected, but the server did not answer in time: retry later. */
        TIMEOUT,
        /** The server refused the credentials (or sent none were configured). */
        UNAUTHORIZED,
        /** The server answered with an error status (404 for a wrong path, 454, 461...). */
        REFUSED,
        /** The server's answers are not valid RTSP/SDP, or offer no H264/H265 video track. */
        PROTOCOL,
        /** The server redirected us ({@link #location()}). */
        REDIRECTED,
        /** The connection closed or the server stopped sending: retry. */
        LOST
    }

    private final Kind kind;
    private final String location;

    public RtspSessionException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public RtspSessionException(Kind kind, String message, String location, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.location = location;
    }

    public Kind kind() {
        return kind;
    }

    /** For {@link Kind#REDIRECTED}: where to. */
    public String location() {
        return location;
    }
}
