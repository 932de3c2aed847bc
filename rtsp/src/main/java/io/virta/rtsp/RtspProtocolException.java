package io.virta.rtsp;

/** The peer sent something that is not RTSP as RFC 2326 defines it; the message says what and where. */
public final class RtspProtocolException extends Exception {
    public RtspProtocolException(String message) {
        super(message);
    }
}
