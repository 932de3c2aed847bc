package io.virta.rtsp.media;

/**
 * The fields of an H264 sequence parameter set (ITU-T H.264 7.3.2.1.1) that a container's sample
 * entry (the fMP4 init segment's avcC) needs: profile, level, chroma format, bit depths and the
 * cropped picture size. A flyweight: {@link #parse} refills it. Emulation-prevention bytes are
 * skipped while reading, so nothing is copied; a parse allocates nothing unless it fails.
 *
 * <p>Hostile input: a parameter set that is cut short or out of the standard's ranges is refused
 * with an IllegalArgumentException naming the field; nothing is read outside {@code [0, length)}.
 * Use an instance from one thread.
 *
 * <pre>
 *   H264Sps sps = new H264Sps().parse(nal, nal.length);   // nal starts with the NAL header byte
 *   int width = sps.width();
 * </pre>
 */
public final class H264Sps extends SequenceParameterSet {
    private final RbspReader in = new RbspReader();

    private int profileIdc;
    private int constraintFlags;
    private int levelIdc;

    /**
     * Reads the SPS in {@code sps[0, length)}, starting with its NAL header byte.
     *
     * @throws IllegalArgumentException if it is not an SPS, is cut short, or has values outside the standard
     */
    @Override
    public H264Sps parse(byte[] sps, int length) {
        if (length < 4 || H264NalType.ofHeader(sps[0]) != H264NalType.SPS) {
            throw new IllegalArgumentException("not an H264 SPS (" + length + " bytes, NAL type "
                    + (length > 0 ? H264NalType.ofHeader(sps[0]).value() : -1) + ")");
        }
        in.wrap("H264 SPS", sps, 1, length);
        profileIdc = (int) in.bits(8);
        constraintFlags = (int) in.bits(8);
        levelIdc = (int) in.bits(8);
        in.ue(31, "seq_parameter_set_id");
        chromaFormatIdc = 1;
        bitDepthLuma = 8;
        bitDepthChroma = 8;
        boolean separateColourPlane = false;
        if (hasChromaFormat(profileIdc)) {
            chromaFormatIdc = in.ue(3, "chroma_format_idc");
            if (chromaFormatIdc == 3) {
                separateColourPlane = in.bit() == 1;
            }
            bitDepthLuma = 8 + in.ue(6, "bit_depth_luma_minus8");
            bitDepthChroma = 8 + in.ue(6, "bit_depth_chroma_minus8");
            in.bit(); // qpprime_y_zero_transform_bypass_flag
            if (in.bit() == 1) {
                int lists = chromaFormatIdc != 3 ? 8 : 12;
                for (int i = 0; i < lists; i++) {
                    if (in.bit() == 1) {
                        skipScalingList(i < 6 ? 16 : 64);
                    }
                }
            }
        }
        in.ue(12, "log2_max_frame_num_minus4");
        int pocType = in.ue(2, "pic_order_cnt_type");
        if (pocType == 0) {
            in.ue(12, "log2_max_pic_order_cnt_lsb_minus4");
        } else if (pocType == 1) {
            in.bit();
            in.se("offset_for_non_ref_pic");
            in.se("offset_for_top_to_bottom_field");
            int cycle = in.ue(255, "num_ref_frames_in_pic_order_cnt_cycle");
            for (int i = 0; i < cycle; i++) {
                in.se("offset_for_ref_frame");
            }
        }
        in.ue(32, "max_num_ref_frames");
        in.bit(); // gaps_in_frame_num_value_allowed_flag
        int widthInMbs = in.ue(1023, "pic_width_in_mbs_minus1") + 1;
        int heightInMapUnits = in.ue(1023, "pic_height_in_map_units_minus1") + 1;
        int frameMbsOnly = in.bit();
        if (frameMbsOnly == 0) {
            in.bit(); // mb_adaptive_frame_field_flag
        }
        in.bit(); // direct_8x8_inference_flag
        int cropLeft = 0;
        int cropRight = 0;
        int cropTop = 0;
        int cropBottom = 0;
        if (in.bit() == 1) {
            cropLeft = in.ue(8192, "frame_crop_left_offset");
            cropRight = in.ue(8192, "frame_crop_right_offset");
            cropTop = in.ue(8192, "frame_crop_top_offset");
            cropBottom = in.ue(8192, "frame_crop_bottom_offset");
        }
        int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        int cropUnitX = chromaArrayType == 0 ? 1 : (chromaArrayType == 3 ? 1 : 2);
        int cropUnitY = (chromaArrayType == 0 || chromaArrayType == 3 ? 1 : (chromaArrayType == 1 ? 2 : 1))
                * (2 - frameMbsOnly);
        width = widthInMbs * 16 - (cropLeft + cropRight) * cropUnitX;
        height = (2 - frameMbsOnly) * heightInMapUnits * 16 - (cropTop + cropBottom) * cropUnitY;
        if (width <= 0 || height <= 0) {
            throw in.error("cropping leaves a " + width + "x" + height + " picture");
        }
        return this;
    }

    /** Profiles whose SPS carries chroma_format_idc and bit depths (7.3.2.1.1); avcC then carries them too. */
    public static boolean hasChromaFormat(int profileIdc) {
        return switch (profileIdc) {
            case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135 -> true;
            default -> false;
        };
    }

    public int profileIdc() {
        return profileIdc;
    }

    /** The byte after profile_idc: constraint_set flags, avcC's profile_compatibility. */
    public int constraintFlags() {
        return constraintFlags;
    }

    public int levelIdc() {
        return levelIdc;
    }

    private void skipScalingList(int size) {
        int last = 8;
        int next = 8;
        for (int j = 0; j < size; j++) {
            if (next != 0) {
                next = (last + in.se("delta_scale") + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }
}
