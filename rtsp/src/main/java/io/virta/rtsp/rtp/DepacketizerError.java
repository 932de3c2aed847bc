package io.virta.rtsp.rtp;

/**
 * What was wrong with an RTP video payload (RFC 6184 for H264, RFC 7798 for H265). Depacketizers count
 * each kind ({@link DepacketizerCounters#errors(DepacketizerError)}) instead of throwing. Unless
 * {@link #losesData()} is false, the access unit the packet belonged to is dropped.
 */
public enum DepacketizerError {
    EMPTY_PAYLOAD("payload is empty (a keep-alive?): ignored", false),
    TRUNCATED_HEADER("payload is shorter than its NAL unit / payload header"),
    FORBIDDEN_BIT_SET("forbidden_zero_bit (F) of a NAL unit header is 1: the sender marks it corrupt"),
    BAD_TEMPORAL_ID("H265 nuh_temporal_id_plus1 is 0"),
    IGNORED_NAL_TYPE("NAL unit type is unspecified/reserved for RTP (H264 0, 30, 31; H265 51-63): ignored", false),
    UNSUPPORTED_PACKET_TYPE("payload type needs interleaved mode or an extension this receiver lacks"
            + " (H264 STAP-B, MTAP16, MTAP24, FU-B; H265 PACI)"),
    MALFORMED_AGGREGATION("aggregation packet (STAP-A / AP): a NAL unit size is 0, shorter than a NAL header,"
            + " runs past the payload, or a nested NAL unit is itself an aggregation or fragment"),
    MALFORMED_FRAGMENT("fragmentation unit (FU-A / FU): FU header missing or its NAL type is an aggregation or fragment type"),
    FRAGMENT_WITHOUT_START("fragmentation unit without the S bit and no fragmented NAL unit open: its start was lost"),
    FRAGMENT_NOT_ENDED("a fragmented NAL unit was still open (no E bit seen) when something else came: its end was lost"),
    FRAGMENT_TYPE_MISMATCH("fragmentation unit continues a NAL unit of another type than the one open");

    private final String description;
    private final boolean losesData;

    DepacketizerError(String description) {
        this(description, true);
    }

    DepacketizerError(String description, boolean losesData) {
        this.description = description;
        this.losesData = losesData;
    }

    /** One line for logs: which field is wrong and how. */
    public String description() {
        return description;
    }

    /** Whether picture data was thrown away, so the access unit cannot be emitted. */
    public boolean losesData() {
        return losesData;
    }
}
