package io.virta.rtsp.media;

/** The video codecs Virta ingests, decodes and re-serves. */
public enum VideoCodec {
    H264("H264", 90_000),
    H265("H265", 90_000);

    /** The encoding name in an SDP {@code a=rtpmap} line. */
    public final String rtpEncodingName;
    public final int clockRate;

    VideoCodec(String rtpEncodingName, int clockRate) {
        this.rtpEncodingName = rtpEncodingName;
        this.clockRate = clockRate;
    }
}
