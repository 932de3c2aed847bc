package io.virta.recorder.export;

import io.virta.bus.PixelFormat;

import java.util.Arrays;

/**
 * What an MP4 sample entry or a Matroska track needs to know of a sequence parameter set: the picture
 * size after cropping, chroma format and bit depths, and the profile bytes the decoder configuration
 * repeats (H264: {@code profile_idc}, the constraint flags and {@code level_idc}; H265: the 12 bytes of
 * {@code general_profile_tier_level}).
 *
 * <p>Parsed once per segment by {@link #parse}, which reads only the fields up to the bit depths (ITU-T
 * H.264 section 7.3.2.1.1, H.265 section 7.3.2.2) and refuses anything else with a
 * {@link MalformedMediaException}: any bytes are survived.
 *
 * <pre>{@code
 * SequenceInfo sps = SequenceInfo.parse(PixelFormat.H264, spsUnit, 0, spsUnit.length);
 * int width = sps.width();
 * }</pre>
 */
public record SequenceInfo(PixelFormat codec, int width, int height, int chromaFormat, int bitDepthLuma,
                           int bitDepthChroma, byte[] profile, int temporalLayers, boolean temporalIdNested) {
    /** The largest picture side believed: H.264 level 6.2 and H.265 level 6.2 stay far below it. */
    static final int MAX_SIDE = 16_384;

    public SequenceInfo {
        profile = profile.clone();
    }

    @Override
    public byte[] profile() {
        return profile.clone();
    }

    /**
     * Parses the SPS NAL unit {@code unit[from, to)} (its NAL header included, no start code).
     *
     * @throws MalformedMediaException naming the field that is missing or out of range
     */
    public static SequenceInfo parse(PixelFormat codec, byte[] unit, int from, int to) throws MalformedMediaException {
        return switch (codec) {
            case H264 -> parseH264(unit, from, to);
            case H265 -> parseH265(unit, from, to);
            default -> throw new MalformedMediaException("no sequence parameter set for " + codec);
        };
    }

    private static SequenceInfo parseH264(byte[] unit, int from, int to) throws MalformedMediaException {
        RbspReader in = new RbspReader(unit, from, to);
        int nalType = (int) in.bits(8) & 0x1F;
        if (nalType != 7) {
            throw new MalformedMediaException("NAL unit type " + nalType + " where an H264 SPS (7) belongs");
        }
        byte[] profile = {(byte) in.bits(8), (byte) in.bits(8), (byte) in.bits(8)};
        int profileIdc = profile[0] & 0xFF;
        in.ue("seq_parameter_set_id", 31);
        int chromaFormat = 1;
        boolean separateColourPlane = false;
        int bitDepthLuma = 8;
        int bitDepthChroma = 8;
        if (hasChromaFields(profileIdc)) {
            chromaFormat = in.ue("chroma_format_idc", 3);
            if (chromaFormat == 3) {
                separateColourPlane = in.flag();
            }
            bitDepthLuma = 8 + in.ue("bit_depth_luma_minus8", 6);
            bitDepthChroma = 8 + in.ue("bit_depth_chroma_minus8", 6);
            in.flag(); // qpprime_y_zero_transform_bypass_flag
            if (in.flag()) { // seq_scaling_matrix_present_flag
                int lists = chromaFormat == 3 ? 12 : 8;
                for (int i = 0; i < lists; i++) {
                    if (in.flag()) {
                        skipScalingList(in, i < 6 ? 16 : 64);
                    }
                }
            }
        }
        in.ue("log2_max_frame_num_minus4", 12);
        int pocType = in.ue("pic_order_cnt_type", 2);
        if (pocType == 0) {
            in.ue("log2_max_pic_order_cnt_lsb_minus4", 12);
        } else if (pocType == 1) {
            in.flag();
            in.se();
            in.se();
            int cycle = in.ue("num_ref_frames_in_pic_order_cnt_cycle", 255);
            for (int i = 0; i < cycle; i++) {
                in.se();
            }
        }
        in.ue("max_num_ref_frames", 32);
        in.flag(); // gaps_in_frame_num_value_allowed_flag
        int widthInMbs = in.ue("pic_width_in_mbs_minus1", MAX_SIDE / 16) + 1;
        int heightInMapUnits = in.ue("pic_height_in_map_units_minus1", MAX_SIDE / 16) + 1;
        boolean frameMbsOnly = in.flag();
        if (!frameMbsOnly) {
            in.flag(); // mb_adaptive_frame_field_flag
        }
        in.flag(); // direct_8x8_inference_flag
        int cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (in.flag()) {
            cropLeft = in.ue("frame_crop_left_offset", MAX_SIDE);
            cropRight = in.ue("frame_crop_right_offset", MAX_SIDE);
            cropTop = in.ue("frame_crop_top_offset", MAX_SIDE);
            cropBottom = in.ue("frame_crop_bottom_offset", MAX_SIDE);
        }
        int chromaArrayType = separateColourPlane ? 0 : chromaFormat;
        int fieldFactor = frameMbsOnly ? 1 : 2;
        int cropUnitX = chromaArrayType == 0 ? 1 : (chromaFormat == 3 ? 1 : 2);
        int cropUnitY = (chromaArrayType == 0 ? 1 : (chromaFormat == 1 ? 2 : 1)) * fieldFactor;
        int width = widthInMbs * 16 - cropUnitX * (cropLeft + cropRight);
        int height = fieldFactor * heightInMapUnits * 16 - cropUnitY * (cropTop + cropBottom);
        checkSize(width, height);
        return new SequenceInfo(PixelFormat.H264, width, height, chromaFormat, bitDepthLuma, bitDepthChroma, profile,
                1, true);
    }

    /** The High profiles and their relatives carry chroma format and bit depths (H.264 section 7.3.2.1.1). */
    private static boolean hasChromaFields(int profileIdc) {
        return switch (profileIdc) {
            case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135 -> true;
            default -> false;
        };
    }

    private static void skipScalingList(RbspReader in, int size) throws MalformedMediaException {
        long last = 8;
        long next = 8;
        for (int j = 0; j < size; j++) {
            if (next != 0) {
                long delta = in.se();
                if (delta < -128 || delta > 127) {
                    throw new MalformedMediaException("delta_scale " + delta + " outside -128..127");
                }
                next = (last + delta + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }

    private static SequenceInfo parseH265(byte[] unit, int from, int to) throws MalformedMediaException {
        RbspReader in = new RbspReader(unit, from, to);
        int nalType = (int) (in.bits(16) >> 9) & 0x3F;
        if (nalType != 33) {
            throw new MalformedMediaException("NAL unit type " + nalType + " where an H265 SPS (33) belongs");
        }
        in.bits(4); // sps_video_parameter_set_id
        int maxSubLayersMinus1 = (int) in.bits(3);
        boolean temporalIdNested = in.flag();
        byte[] profile = new byte[12];
        for (int i = 0; i < profile.length; i++) {
            profile[i] = (byte) in.bits(8);
        }
        boolean[] subProfilePresent = new boolean[maxSubLayersMinus1];
        boolean[] subLevelPresent = new boolean[maxSubLayersMinus1];
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            subProfilePresent[i] = in.flag();
            subLevelPresent[i] = in.flag();
        }
        if (maxSubLayersMinus1 > 0) {
            for (int i = maxSubLayersMinus1; i < 8; i++) {
                in.bits(2); // reserved_zero_2bits
            }
        }
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            if (subProfilePresent[i]) {
                in.bits(32);
                in.bits(32);
                in.bits(24);
            }
            if (subLevelPresent[i]) {
                in.bits(8);
            }
        }
        in.ue("sps_seq_parameter_set_id", 15);
        int chromaFormat = in.ue("chroma_format_idc", 3);
        if (chromaFormat == 3) {
            in.flag(); // separate_colour_plane_flag
        }
        int lumaWidth = in.ue("pic_width_in_luma_samples", MAX_SIDE);
        int lumaHeight = in.ue("pic_height_in_luma_samples", MAX_SIDE);
        int cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (in.flag()) { // conformance_window_flag
            cropLeft = in.ue("conf_win_left_offset", MAX_SIDE);
            cropRight = in.ue("conf_win_right_offset", MAX_SIDE);
            cropTop = in.ue("conf_win_top_offset", MAX_SIDE);
            cropBottom = in.ue("conf_win_bottom_offset", MAX_SIDE);
        }
        int bitDepthLuma = 8 + in.ue("bit_depth_luma_minus8", 8);
        int bitDepthChroma = 8 + in.ue("bit_depth_chroma_minus8", 8);
        int subWidth = chromaFormat == 1 || chromaFormat == 2 ? 2 : 1;
        int subHeight = chromaFormat == 1 ? 2 : 1;
        int width = lumaWidth - subWidth * (cropLeft + cropRight);
        int height = lumaHeight - subHeight * (cropTop + cropBottom);
        checkSize(width, height);
        return new SequenceInfo(PixelFormat.H265, width, height, chromaFormat, bitDepthLuma, bitDepthChroma, profile,
                maxSubLayersMinus1 + 1, temporalIdNested);
    }

    private static void checkSize(int width, int height) throws MalformedMediaException {
        if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new MalformedMediaException("picture size " + width + "x" + height + " after cropping");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SequenceInfo that && codec == that.codec && width == that.width && height == that.height
                && chromaFormat == that.chromaFormat && bitDepthLuma == that.bitDepthLuma
                && bitDepthChroma == that.bitDepthChroma && Arrays.equals(profile, that.profile)
                && temporalLayers == that.temporalLayers && temporalIdNested == that.temporalIdNested;
    }

    @Override
    public int hashCode() {
        return (codec.hashCode() * 31 + width) * 31 + height + Arrays.hashCode(profile);
    }
}
