package io.virta.rtsp.media;

/**
 * What a NAL unit is to whoever groups NAL units into access units, the same for H264 and H265:
 * the slices of a picture, the parameter sets a decoder needs before them, the delimiter, and the
 * rest. {@link NalUnitType#role()} gives each NAL unit type its role.
 */
public enum NalRole {
    ACCESS_UNIT_DELIMITER(-1),
    VIDEO_PARAMETER_SET(0),
    SEQUENCE_PARAMETER_SET(1),
    PICTURE_PARAMETER_SET(2),
    /** A slice of a picture that refers to earlier ones. */
    SLICE(-1),
    /** A slice of a picture that starts decoding: H264 IDR, H265 IRAP. */
    KEYFRAME_SLICE(-1),
    OTHER(-1);

    private final int parameterSetRank;

    NalRole(int parameterSetRank) {
        this.parameterSetRank = parameterSetRank;
    }

    /** Position in decoding order among the parameter sets (VPS 0, SPS 1, PPS 2); -1 for the rest. */
    public int parameterSetRank() {
        return parameterSetRank;
    }

    public boolean isParameterSet() {
        return parameterSetRank >= 0;
    }

    public boolean isSlice() {
        return this == SLICE || this == KEYFRAME_SLICE;
    }
}
