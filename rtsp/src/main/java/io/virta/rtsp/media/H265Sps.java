package io.virta.rtsp.media;

/**
 * The fields of an H265 sequence parameter set (ITU-T H.265 7.3.2.2) that hvcC and the track
 * header need: the general profile_tier_level, sub-layers, chroma format, bit depths and the
 * picture size inside the conformance window. A flyweight: {@link #parse} refills it, allocating
 * nothing unless it fails. Like {@link H264Sps}, it refuses a cut-short or out-of-range parameter
 * set with an IllegalArgumentException naming the field, and is used from one thread.
 */
public final class H265Sps extends SequenceParameterSet {
    private final RbspReader in = new RbspReader();
    private int profileSpace;
    private int tierFlag;
    private int profileIdc;
    private long compatibilityFlags;
    private long constraintFlags;
    private int levelIdc;
    private int maxSubLayers;
    private int temporalIdNesting;
    private final boolean[] subLayerProfilePresent = new boolean[7];
    private final boolean[] subLayerLevelPresent = new boolean[7];

    /**
     * Reads the SPS in {@code sps[0, length)}, starting with its two-byte NAL header.
     *
     * @throws IllegalArgumentException if it is not an SPS, is cut short, or has values outside the standard
     */
    @Override
    public H265Sps parse(byte[] sps, int length) {
        if (length < 4 || H265NalType.ofHeader(sps[0]) != H265NalType.SPS) {
            throw new IllegalArgumentException("not an H265 SPS (" + length + " bytes, NAL type "
                    + (length > 0 ? H265NalType.ofHeader(sps[0]).value() : -1) + ")");
        }
        in.wrap("H265 SPS", sps, 2, length);
        in.bits(4); // sps_video_parameter_set_id
        maxSubLayers = (int) in.bits(3) + 1;
        if (maxSubLayers > 7) {
            throw in.error("sps_max_sub_layers_minus1 is 7, more than 6");
        }
        temporalIdNesting = in.bit();
        profileTierLevel();
        in.ue(15, "sps_seq_parameter_set_id");
        chromaFormatIdc = in.ue(3, "chroma_format_idc");
        if (chromaFormatIdc == 3) {
            in.bit(); // separate_colour_plane_flag
        }
        int lumaWidth = in.ue(16888, "pic_width_in_luma_samples");
        int lumaHeight = in.ue(16888, "pic_height_in_luma_samples");
        int subWidth = chromaFormatIdc == 1 || chromaFormatIdc == 2 ? 2 : 1;
        int subHeight = chromaFormatIdc == 1 ? 2 : 1;
        int cropX = 0;
        int cropY = 0;
        if (in.bit() == 1) {
            cropX = subWidth * (in.ue(8444, "conf_win_left_offset") + in.ue(8444, "conf_win_right_offset"));
            cropY = subHeight * (in.ue(8444, "conf_win_top_offset") + in.ue(8444, "conf_win_bottom_offset"));
        }
        bitDepthLuma = 8 + in.ue(8, "bit_depth_luma_minus8");
        bitDepthChroma = 8 + in.ue(8, "bit_depth_chroma_minus8");
        width = lumaWidth - cropX;
        height = lumaHeight - cropY;
        if (width <= 0 || height <= 0) {
            throw in.error("the conformance window leaves a " + width + "x" + height + " picture");
        }
        return this;
    }

    private void profileTierLevel() {
        profileSpace = (int) in.bits(2);
        tierFlag = in.bit();
        profileIdc = (int) in.bits(5);
        compatibilityFlags = in.bits(32);
        constraintFlags = in.bits(32) << 16 | in.bits(16);
        levelIdc = (int) in.bits(8);
        int subLayers = maxSubLayers - 1;
        for (int i = 0; i < subLayers; i++) {
            subLayerProfilePresent[i] = in.bit() == 1;
            subLayerLevelPresent[i] = in.bit() == 1;
        }
        if (subLayers > 0) {
            in.bits(2 * (8 - subLayers)); // reserved_zero_2bits
        }
        for (int i = 0; i < subLayers; i++) {
            if (subLayerProfilePresent[i]) {
                in.bits(32);
                in.bits(32);
                in.bits(24);
            }
            if (subLayerLevelPresent[i]) {
                in.bits(8);
            }
        }
    }

    public int profileSpace() {
        return profileSpace;
    }

    public int tierFlag() {
        return tierFlag;
    }

    public int profileIdc() {
        return profileIdc;
    }

    public long compatibilityFlags() {
        return compatibilityFlags;
    }

    /** The 48 bits of general constraint indicator flags. */
    public long constraintFlags() {
        return constraintFlags;
    }

    public int levelIdc() {
        return levelIdc;
    }

    public int maxSubLayers() {
        return maxSubLayers;
    }

    public int temporalIdNesting() {
        return temporalIdNesting;
    }
}
