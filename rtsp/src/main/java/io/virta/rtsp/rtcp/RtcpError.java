package io.virta.rtsp.rtcp;

/**
 * Why {@link CompoundPacketReader#next()} stopped early. The receive path counts these per kind
 * rather than throwing: malformed RTCP is the peer's problem, not a reason to stop streaming.
 */
public enum RtcpError {
    NONE("no error"),
    EMPTY("the datagram is empty"),
    TRUNCATED_HEADER("fewer than 4 bytes left for a packet header"),
    BAD_VERSION("version is not 2"),
    NOT_RTCP("packet type is outside 192-223, so this is not RTCP (RTP on the RTCP port?)"),
    LENGTH_EXCEEDS_DATA("the length field runs past the end of the data"),
    PADDING_NOT_LAST("padding is set on a packet that is not the last of the compound"),
    BAD_PADDING("the padding count is 0 or larger than the packet"),
    SENDER_REPORT_TOO_SHORT("a sender report is shorter than its sender info and report blocks"),
    RECEIVER_REPORT_TOO_SHORT("a receiver report is shorter than its report blocks"),
    GOODBYE_TOO_SHORT("a BYE is shorter than its source count says");

    /** A sentence for logs. */
    public final String description;

    RtcpError(String description) {
        this.description = description;
    }
}
