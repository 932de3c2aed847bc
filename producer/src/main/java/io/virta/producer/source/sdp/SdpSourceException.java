package io.virta.producer.source.sdp;

/**
 * Why an SDP-file camera cannot receive: the file is missing or unusable, or its port or network
 * interface cannot be had. The message is for people: it names the file (or the setting) and the
 * field at fault, and says what to do, e.g.
 * {@code "/etc/virta/cam7.sdp (m=video): codec VP8/90000 (payload type 97) is not supported; ..."}.
 */
public final class SdpSourceException extends Exception {
    private final String field;

    public SdpSourceException(String field, String message) {
        super(message);
        this.field = field;
    }

    public SdpSourceException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The SDP field or setting at fault: {@code "file"}, {@code "m=video"}, {@code "c="}, {@code "interface"}... */
    public String field() {
        return field;
    }
}
