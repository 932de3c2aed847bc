package io.virta.rtsp.media;

import static io.virta.rtsp.media.NalRole.KEYFRAME_SLICE;
import static io.virta.rtsp.media.NalRole.OTHER;
import static io.virta.rtsp.media.NalRole.PICTURE_PARAMETER_SET;
import static io.virta.rtsp.media.NalRole.SEQUENCE_PARAMETER_SET;
import static io.virta.rtsp.media.NalRole.SLICE;
import static io.virta.rtsp.media.NalTrait.BEGINS_ACCESS_UNIT;
import static io.virta.rtsp.media.NalTrait.RESERVED;
import static io.virta.rtsp.media.NalTrait.RTP_PAYLOAD_STRUCTURE;
import static io.virta.rtsp.media.NalTrait.SLICE_HEADER;
import static io.virta.rtsp.media.NalTrait.UNSPECIFIED;

/**
 * The 32 H264 NAL unit types: ITU-T H.264 table 7-1, with 24..29 as RFC 6184 uses them for RTP.
 * Every number has a constant, declared in numeric order, so {@link #ofHeader} never fails.
 *
 * <p>Immutable; lookups index a static array and allocate nothing.
 *
 * <pre>
 *   H264NalType type = H264NalType.ofHeader(buffer.get(offset));   // the low 5 bits of the header byte
 *   if (type == H264NalType.FU_A) { ... }
 * </pre>
 */
public enum H264NalType implements NalUnitType {
    UNSPECIFIED_0(0, OTHER, UNSPECIFIED),
    NON_IDR_SLICE(1, SLICE, SLICE_HEADER),
    SLICE_PARTITION_A(2, SLICE, SLICE_HEADER),
    SLICE_PARTITION_B(3, SLICE),
    SLICE_PARTITION_C(4, SLICE),
    IDR_SLICE(5, KEYFRAME_SLICE, SLICE_HEADER),
    SEI(6, OTHER, BEGINS_ACCESS_UNIT),
    SPS(7, SEQUENCE_PARAMETER_SET, BEGINS_ACCESS_UNIT),
    PPS(8, PICTURE_PARAMETER_SET, BEGINS_ACCESS_UNIT),
    ACCESS_UNIT_DELIMITER(9, NalRole.ACCESS_UNIT_DELIMITER, BEGINS_ACCESS_UNIT),
    END_OF_SEQUENCE(10, OTHER),
    END_OF_STREAM(11, OTHER),
    FILLER_DATA(12, OTHER),
    SPS_EXTENSION(13, OTHER),
    PREFIX_NAL(14, OTHER, BEGINS_ACCESS_UNIT),
    SUBSET_SPS(15, OTHER, BEGINS_ACCESS_UNIT),
    DEPTH_PARAMETER_SET(16, OTHER, BEGINS_ACCESS_UNIT),
    RESERVED_17(17, OTHER, RESERVED, BEGINS_ACCESS_UNIT),
    RESERVED_18(18, OTHER, RESERVED, BEGINS_ACCESS_UNIT),
    AUXILIARY_SLICE(19, OTHER),
    SLICE_EXTENSION(20, OTHER),
    DEPTH_SLICE_EXTENSION(21, OTHER),
    RESERVED_22(22, OTHER, RESERVED),
    RESERVED_23(23, OTHER, RESERVED),
    /** RFC 6184 single-time aggregation packet, non-interleaved. */
    STAP_A(24, OTHER, RTP_PAYLOAD_STRUCTURE),
    /** RFC 6184 single-time aggregation packet with a decoding order number (interleaved mode). */
    STAP_B(25, OTHER, RTP_PAYLOAD_STRUCTURE),
    /** RFC 6184 multi-time aggregation packet, 16-bit timestamp offsets (interleaved mode). */
    MTAP16(26, OTHER, RTP_PAYLOAD_STRUCTURE),
    /** RFC 6184 multi-time aggregation packet, 24-bit timestamp offsets (interleaved mode). */
    MTAP24(27, OTHER, RTP_PAYLOAD_STRUCTURE),
    /** RFC 6184 fragmentation unit. */
    FU_A(28, OTHER, RTP_PAYLOAD_STRUCTURE),
    /** RFC 6184 fragmentation unit with a decoding order number (interleaved mode). */
    FU_B(29, OTHER, RTP_PAYLOAD_STRUCTURE),
    UNSPECIFIED_30(30, OTHER, UNSPECIFIED),
    UNSPECIFIED_31(31, OTHER, UNSPECIFIED);

    /** The type field: the low 5 bits of the header byte (also of an FU-A header). */
    public static final int TYPE_MASK = 0x1f;
    /** forbidden_zero_bit (F) and nal_ref_idc (NRI): the header bits besides the type. */
    public static final int F_AND_NRI_MASK = 0xe0;

    /** Indexed by type number: the constants are declared in numeric order (a test holds them to it). */
    private static final H264NalType[] BY_VALUE = values();

    private final int value;
    private final NalRole role;
    private final int traits;

    H264NalType(int value, NalRole role, NalTrait... traits) {
        this.value = value;
        this.role = role;
        this.traits = NalTrait.pack(traits);
    }

    /** The type of the NAL unit whose header byte is {@code header} (or of an FU-A's FU header). */
    public static H264NalType ofHeader(int header) {
        return BY_VALUE[header & TYPE_MASK];
    }

    /**
     * The type numbered {@code value}.
     *
     * @throws IllegalArgumentException if it is not 0..31
     */
    public static H264NalType of(int value) {
        if (value < 0 || value >= BY_VALUE.length) {
            throw new IllegalArgumentException("H264 NAL unit type " + value + ": give 0..31");
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
