package io.virta.rtsp.media;

/** The video codecs Virta ingests, decodes and re-serves. */
public enum VideoCodec {
    H264("H264", 90_000, 1),
    H265("H265", 90_000, 2);

    /** The encoding name in an SDP {@code a=rtpmap} line. */
    public final String rtpEncodingName;
    public final int clockRate;
    private final int nalHeaderLength;

    VideoCodec(String rtpEncodingName, int clockRate, int nalHeaderLength) {
        this.rtpEncodingName = rtpEncodingName;
        this.clockRate = clockRate;
        this.nalHeaderLength = nalHeaderLength;
    }

    /** Bytes in a NAL unit header: 1 for H264, 2 for H265. */
    public int nalHeaderLength() {
        return nalHeaderLength;
    }

    /**
     * The type of the NAL unit whose header begins with the byte {@code header}: an {@link H264NalType}
     * or {@link H265NalType}. Allocation-free, for per-NAL-unit paths.
     */
    public NalUnitType nalType(int header) {
        return switch (this) {
            case H264 -> H264NalType.ofHeader(header);
            case H265 -> H265NalType.ofHeader(header);
        };
    }
}
