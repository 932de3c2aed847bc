package io.virta.producer.mux.fmp4;

/**
 * The fields of an H264 sequence parameter set (ITU-T H.264 7.3.2.1.1) that the init segment needs:
 * profile, level, chroma format, bit depths and the cropped picture size. A flyweight: {@link #parse}
 * refills it. Emulation-prevention bytes are skipped while reading, so nothing is copied.
 */
public final class H264Sps {
    private byte[] data;
    private int end;
    private int bytePosition;
    private int bitPosition;
    private int zeros;
    private int current;

    private int profileIdc;
    private int constraintFlags;
    private int levelIdc;
    private int chromaFormatIdc;
    private int bitDepthLuma;
    private int bitDepthChroma;
    private int width;
    private int height;

    /**
     * Reads the SPS in {@code sps[0, length)}, starting with its NAL header byte.
     *
     * @throws IllegalArgumentException if it is not an SPS, is cut short, or has values outside the standard
     */
    public H264Sps parse(byte[] sps, int length) {
        if (length < 4 || (sps[0] & 0x1F) != 7) {
            throw new IllegalArgumentException("not an H264 SPS (" + length + " bytes, NAL type "
                    + (length > 0 ? sps[0] & 0x1F : -1) + ")");
        }
        data = sps;
        end = length;
        bytePosition = 1;
        bitPosition = 8;
        zeros = 0;
        profileIdc = bits(8);
        constraintFlags = bits(8);
        levelIdc = bits(8);
        ue(31, "seq_parameter_set_id");
        chromaFormatIdc = 1;
        bitDepthLuma = 8;
        bitDepthChroma = 8;
        boolean separateColourPlane = false;
        if (hasChromaFormat(profileIdc)) {
            chromaFormatIdc = ue(3, "chroma_format_idc");
            if (chromaFormatIdc == 3) {
                separateColourPlane = bits(1) == 1;
            }
            bitDepthLuma = 8 + ue(6, "bit_depth_luma_minus8");
            bitDepthChroma = 8 + ue(6, "bit_depth_chroma_minus8");
            bits(1); // qpprime_y_zero_transform_bypass_flag
            if (bits(1) == 1) {
                int lists = chromaFormatIdc != 3 ? 8 : 12;
                for (int i = 0; i < lists; i++) {
                    if (bits(1) == 1) {
                        skipScalingList(i < 6 ? 16 : 64);
                    }
                }
            }
        }
        ue(12, "log2_max_frame_num_minus4");
        int pocType = ue(2, "pic_order_cnt_type");
        if (pocType == 0) {
            ue(12, "log2_max_pic_order_cnt_lsb_minus4");
        } else if (pocType == 1) {
            bits(1);
            se();
            se();
            int cycle = ue(255, "num_ref_frames_in_pic_order_cnt_cycle");
            for (int i = 0; i < cycle; i++) {
                se();
            }
        }
        ue(32, "max_num_ref_frames");
        bits(1); // gaps_in_frame_num_value_allowed_flag
        int widthInMbs = ue(1023, "pic_width_in_mbs_minus1") + 1;
        int heightInMapUnits = ue(1023, "pic_height_in_map_units_minus1") + 1;
        int frameMbsOnly = bits(1);
        if (frameMbsOnly == 0) {
            bits(1); // mb_adaptive_frame_field_flag
        }
        bits(1); // direct_8x8_inference_flag
        int cropLeft = 0;
        int cropRight = 0;
        int cropTop = 0;
        int cropBottom = 0;
        if (bits(1) == 1) {
            cropLeft = ue(8192, "frame_crop_left_offset");
            cropRight = ue(8192, "frame_crop_right_offset");
            cropTop = ue(8192, "frame_crop_top_offset");
            cropBottom = ue(8192, "frame_crop_bottom_offset");
        }
        int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        int cropUnitX = chromaArrayType == 0 ? 1 : (chromaArrayType == 3 ? 1 : 2);
        int cropUnitY = (chromaArrayType == 0 || chromaArrayType == 3 ? 1 : (chromaArrayType == 1 ? 2 : 1))
                * (2 - frameMbsOnly);
        width = widthInMbs * 16 - (cropLeft + cropRight) * cropUnitX;
        height = (2 - frameMbsOnly) * heightInMapUnits * 16 - (cropTop + cropBottom) * cropUnitY;
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("H264 SPS: cropping leaves a " + width + "x" + height + " picture");
        }
        return this;
    }

    /** Profiles whose SPS carries chroma_format_idc and bit depths (7.3.2.1.1). */
    static boolean hasChromaFormat(int profileIdc) {
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

    public int chromaFormatIdc() {
        return chromaFormatIdc;
    }

    public int bitDepthLuma() {
        return bitDepthLuma;
    }

    public int bitDepthChroma() {
        return bitDepthChroma;
    }

    /** Width after cropping, in pixels. */
    public int width() {
        return width;
    }

    /** Height after cropping, in pixels. */
    public int height() {
        return height;
    }

    private void skipScalingList(int size) {
        int last = 8;
        int next = 8;
        for (int j = 0; j < size; j++) {
            if (next != 0) {
                next = (last + se() + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }

    private int ue(int max, String field) {
        int leadingZeros = 0;
        while (bits(1) == 0) {
            if (++leadingZeros > 31) {
                throw new IllegalArgumentException("H264 SPS: " + field + " is not a valid Exp-Golomb code");
            }
        }
        long value = (1L << leadingZeros) - 1 + (leadingZeros == 0 ? 0 : bits(leadingZeros));
        if (value > max) {
            throw new IllegalArgumentException("H264 SPS: " + field + " is " + value + ", more than " + max);
        }
        return (int) value;
    }

    private int se() {
        int leadingZeros = 0;
        while (bits(1) == 0) {
            if (++leadingZeros > 31) {
                throw new IllegalArgumentException("H264 SPS: a signed Exp-Golomb code is too long");
            }
        }
        long code = (1L << leadingZeros) - 1 + (leadingZeros == 0 ? 0 : bits(leadingZeros));
        return (int) ((code & 1) == 1 ? (code + 1) / 2 : -(code / 2));
    }

    /** The next {@code count} (at most 31) bits, skipping emulation-prevention bytes (00 00 03). */
    private int bits(int count) {
        int value = 0;
        for (int i = 0; i < count; i++) {
            if (bitPosition == 8) {
                nextByte();
            }
            bitPosition++;
            value = value << 1 | (current >>> (8 - bitPosition)) & 1;
        }
        return value;
    }

    private void nextByte() {
        if (bytePosition >= end) {
            throw new IllegalArgumentException("H264 SPS: ends early, after " + end + " bytes");
        }
        int b = data[bytePosition++] & 0xFF;
        if (zeros >= 2 && b == 3) {
            zeros = 0;
            if (bytePosition >= end) {
                throw new IllegalArgumentException("H264 SPS: ends early, after " + end + " bytes");
            }
            b = data[bytePosition++] & 0xFF;
        }
        zeros = b == 0 ? zeros + 1 : 0;
        current = b;
        bitPosition = 0;
    }
}
