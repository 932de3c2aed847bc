package io.virta.rtsp.media;

import static io.virta.rtsp.media.NalRole.KEYFRAME_SLICE;
import static io.virta.rtsp.media.NalRole.OTHER;
import static io.virta.rtsp.media.NalRole.PICTURE_PARAMETER_SET;
import static io.virta.rtsp.media.NalRole.SEQUENCE_PARAMETER_SET;
import static io.virta.rtsp.media.NalRole.SLICE;
import static io.virta.rtsp.media.NalRole.VIDEO_PARAMETER_SET;
import static io.virta.rtsp.media.NalTrait.BEGINS_ACCESS_UNIT;
import static io.virta.rtsp.media.NalTrait.RESERVED;
import static io.virta.rtsp.media.NalTrait.RTP_PAYLOAD_STRUCTURE;
import static io.virta.rtsp.media.NalTrait.SLICE_HEADER;
import static io.virta.rtsp.media.NalTrait.UNSPECIFIED;

/**
 * The 64 H265 NAL unit types: ITU-T H.265 table 7-1, with 48..50 as RFC 7798 uses them for RTP.
 * Every number has a constant, declared in numeric order, so {@link #ofHeader} never fails. The VCL
 * types keep the standard's mnemonics (TRAIL_N, IDR_W_RADL, ...); IRAP pictures (16..23) are
 * {@link NalRole#KEYFRAME_SLICE}.
 *
 * <p>Immutable; lookups index a static array and allocate nothing.
 *
 * <pre>
 *   H265NalType type = H265NalType.ofHeader(buffer.get(offset));   // bits 1..6 of the first header byte
 *   if (type == H265NalType.FRAGMENTATION_UNIT) { ... }
 * </pre>
 */
public enum H265NalType implements NalUnitType {
    TRAIL_N(0, SLICE, SLICE_HEADER),
    TRAIL_R(1, SLICE, SLICE_HEADER),
    TSA_N(2, SLICE, SLICE_HEADER),
    TSA_R(3, SLICE, SLICE_HEADER),
    STSA_N(4, SLICE, SLICE_HEADER),
    STSA_R(5, SLICE, SLICE_HEADER),
    RADL_N(6, SLICE, SLICE_HEADER),
    RADL_R(7, SLICE, SLICE_HEADER),
    RASL_N(8, SLICE, SLICE_HEADER),
    RASL_R(9, SLICE, SLICE_HEADER),
    RESERVED_VCL_10(10, SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_11(11, SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_12(12, SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_13(13, SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_14(14, SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_15(15, SLICE, SLICE_HEADER, RESERVED),
    BLA_W_LP(16, KEYFRAME_SLICE, SLICE_HEADER),
    BLA_W_RADL(17, KEYFRAME_SLICE, SLICE_HEADER),
    BLA_N_LP(18, KEYFRAME_SLICE, SLICE_HEADER),
    IDR_W_RADL(19, KEYFRAME_SLICE, SLICE_HEADER),
    IDR_N_LP(20, KEYFRAME_SLICE, SLICE_HEADER),
    CRA(21, KEYFRAME_SLICE, SLICE_HEADER),
    RESERVED_IRAP_22(22, KEYFRAME_SLICE, SLICE_HEADER, RESERVED),
    RESERVED_IRAP_23(23, KEYFRAME_SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_24(24, SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_25(25, SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_26(26, SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_27(27, SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_28(28, SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_29(29, SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_30(30, SLICE, SLICE_HEADER, RESERVED),
    RESERVED_VCL_31(31, SLICE, SLICE_HEADER, RESERVED),
    VPS(32, VIDEO_PARAMETER_SET, BEGINS_ACCESS_UNIT),
    SPS(33, SEQUENCE_PARAMETER_SET, BEGINS_ACCESS_UNIT),
    PPS(34, PICTURE_PARAMETER_SET, BEGINS_ACCESS_UNIT),
    ACCESS_UNIT_DELIMITER(35, NalRole.ACCESS_UNIT_DELIMITER, BEGINS_ACCESS_UNIT),
    END_OF_SEQUENCE(36, OTHER),
    END_OF_BITSTREAM(37, OTHER),
    FILLER_DATA(38, OTHER),
    PREFIX_SEI(39, OTHER, BEGINS_ACCESS_UNIT),
    SUFFIX_SEI(40, OTHER),
    RESERVED_NON_VCL_41(41, OTHER, RESERVED, BEGINS_ACCESS_UNIT),
    RESERVED_NON_VCL_42(42, OTHER, RESERVED, BEGINS_ACCESS_UNIT),
    RESERVED_NON_VCL_43(43, OTHER, RESERVED, BEGINS_ACCESS_UNIT),
    RESERVED_NON_VCL_44(44, OTHER, RESERVED, BEGINS_ACCESS_UNIT),
    RESERVED_NON_VCL_45(45, OTHER, RESERVED),
    RESERVED_NON_VCL_46(46, OTHER, RESERVED),
    RESERVED_NON_VCL_47(47, OTHER, RESERVED),
    /** RFC 7798 aggregation packet (AP). */
    AGGREGATION_PACKET(48, OTHER, RTP_PAYLOAD_STRUCTURE, BEGINS_ACCESS_UNIT),
    /** RFC 7798 fragmentation unit (FU). */
    FRAGMENTATION_UNIT(49, OTHER, RTP_PAYLOAD_STRUCTURE, BEGINS_ACCESS_UNIT),
    /** RFC 7798 payload content information (PACI), an extension header around another payload. */
    PACI(50, OTHER, RTP_PAYLOAD_STRUCTURE, BEGINS_ACCESS_UNIT),
    UNSPECIFIED_51(51, OTHER, UNSPECIFIED, BEGINS_ACCESS_UNIT),
    UNSPECIFIED_52(52, OTHER, UNSPECIFIED, BEGINS_ACCESS_UNIT),
    UNSPECIFIED_53(53, OTHER, UNSPECIFIED, BEGINS_ACCESS_UNIT),
    UNSPECIFIED_54(54, OTHER, UNSPECIFIED, BEGINS_ACCESS_UNIT),
    UNSPECIFIED_55(55, OTHER, UNSPECIFIED, BEGINS_ACCESS_UNIT),
    UNSPECIFIED_56(56, OTHER, UNSPECIFIED),
    UNSPECIFIED_57(57, OTHER, UNSPECIFIED),
    UNSPECIFIED_58(58, OTHER, UNSPECIFIED),
    UNSPECIFIED_59(59, OTHER, UNSPECIFIED),
    UNSPECIFIED_60(60, OTHER, UNSPECIFIED),
    UNSPECIFIED_61(61, OTHER, UNSPECIFIED),
    UNSPECIFIED_62(62, OTHER, UNSPECIFIED),
    UNSPECIFIED_63(63, OTHER, UNSPECIFIED);

    /** The type field of the first header byte, once shifted right by one (also of an FU header, unshifted). */
    public static final int TYPE_MASK = 0x3f;
    /** forbidden_zero_bit and the high bit of nuh_layer_id: the first header byte's bits besides the type. */
    public static final int F_AND_LAYER_MASK = 0x81;

    /** Indexed by type number: the constants are declared in numeric order (a test holds them to it). */
    private static final H265NalType[] BY_VALUE = values();

    private final int value;
    private final NalRole role;
    private final int traits;

    H265NalType(int value, NalRole role, NalTrait... traits) {
        this.value = value;
        this.role = role;
        this.traits = NalTrait.pack(traits);
    }

    /** The type of the NAL unit whose two-byte header begins with the byte {@code header}. */
    public static H265NalType ofHeader(int header) {
        return BY_VALUE[(header >> 1) & TYPE_MASK];
    }

    /**
     * The type numbered {@code value}.
     *
     * @throws IllegalArgumentException if it is not 0..63
     */
    public static H265NalType of(int value) {
        if (value < 0 || value >= BY_VALUE.length) {
            throw new IllegalArgumentException("H265 NAL unit type " + value + ": give 0..63");
        }
        return BY_VALUE[value];
    }

    @Override
    public int value() {
        return value;
    }

    @Override
    public NalRole role() {
        return role;
    }

    @Override
    public boolean has(NalTrait trait) {
        return (traits & trait.bit) != 0;
    }
}
