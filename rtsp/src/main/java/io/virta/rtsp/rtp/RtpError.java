package io.virta.rtsp.rtp;

/** Why {@link RtpPacket#wrap} refused a datagram: each names the header field at fault. */
public enum RtpError {
    /** Nothing wrong: the last {@code wrap} succeeded. */
    NONE("no error"),
    TOO_SHORT("packet is shorter than the 12-byte fixed RTP header"),
    BAD_VERSION("version field (first two bits) is not 2"),
    BAD_CSRC_COUNT("CSRC count (CC) says more 4-byte CSRC entries than the packet holds"),
    BAD_EXTENSION_LENGTH("header extension (X bit set) is cut short or its length field runs past the end"),
    BAD_PADDING("padding (P bit set): the last byte's padding count is 0 or larger than the payload"),
    RTCP_PAYLOAD_TYPE("payload type 72-76 is reserved for RTCP (RFC 5761): an RTCP packet on the RTP port");

    private final String description;

    RtpError(String description) {
        this.description = description;
    }

    /** One line for logs: which field is wrong and how. */
    public String description() {
        return description;
    }
}
