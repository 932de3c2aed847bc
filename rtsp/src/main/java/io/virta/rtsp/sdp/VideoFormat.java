package io.virta.rtsp.sdp;

import io.virta.rtsp.media.VideoCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * What a decoder needs to know about a video media section: the codec and its RTP payload type,
 * and the parameter sets from {@code a=fmtp} ({@code sprop-parameter-sets} for H264, RFC 6184;
 * {@code sprop-vps/sps/pps} for H265, RFC 7798), so decoding can start at the first keyframe even
 * when the camera does not repeat them in-band.
 */
public final class VideoFormat {
    private final VideoCodec codec;
    private final int payloadType;
    private final int clockRate;
    private final List<byte[]> parameterSets;
    private final OptionalInt profileLevelId;
    private final int packetizationMode;

    VideoFormat(VideoCodec codec, int payloadType, int clockRate, List<byte[]> parameterSets,
                OptionalInt profileLevelId, int packetizationMode) {
        this.codec = codec;
        this.payloadType = payloadType;
        this.clockRate = clockRate;
        this.parameterSets = List.copyOf(parameterSets);
        this.profileLevelId = profileLevelId;
        this.packetizationMode = packetizationMode;
    }

    public VideoCodec codec() {
        return codec;
    }

    public int payloadType() {
        return payloadType;
    }

    /** From {@code a=rtpmap}; 90000 for every video codec Virta knows. */
    public int clockRate() {
        return clockRate;
    }

    /**
     * The parameter-set NAL units (without start codes), ordered VPS, SPS, PPS as a decoder wants
     * them; empty when the SDP carries none. Each call returns fresh copies.
     */
    public List<byte[]> parameterSets() {
        List<byte[]> copies = new ArrayList<>(parameterSets.size());
        for (byte[] nal : parameterSets) {
            copies.add(nal.clone());
        }
        return copies;
    }

    /**
     * H264 {@code profile-level-id}: profile_idc, the constraint flags and level_idc as one 24-bit
     * number (e.g. {@code 0x42e01f}). Empty for H265, when absent, or when not six hex digits:
     * the SPS says the same, so a camera's typo here is not worth refusing its stream.
     */
    public OptionalInt profileLevelId() {
        return profileLevelId;
    }

    /**
     * H264 {@code packetization-mode}: 0 single NAL unit, 1 non-interleaved (FU-A, STAP-A),
     * 2 interleaved. 0 when absent, as RFC 6184 says; always 0 for H265.
     */
    public int packetizationMode() {
        return packetizationMode;
    }

    @Override
    public String toString() {
        String profile = profileLevelId.isPresent()
                ? String.format(", profile-level-id %06x", profileLevelId.getAsInt()) : "";
        return codec + "/" + clockRate + " payload type " + payloadType + profile
                + ", packetization-mode " + packetizationMode + ", " + parameterSets.size() + " parameter sets";
    }
}
