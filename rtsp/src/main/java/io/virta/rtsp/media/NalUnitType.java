package io.virta.rtsp.media;

/**
 * A NAL unit type of H264 ({@link H264NalType}) or H265 ({@link H265NalType}): the one place where
 * Virta keeps the numbers of ITU-T H.264 table 7-1, H.265 table 7-1 and their RTP payload formats
 * (RFC 6184, RFC 7798). Code that reads NAL units of either codec asks {@link VideoCodec#nalType}.
 *
 * <p>Lookups go through a static array indexed by the type number, and every answer here is a field
 * or a bit test: constant time and nothing allocated, fit for per-packet and per-NAL-unit paths. The
 * tables are immutable and shared by all threads.
 *
 * <pre>
 *   NalUnitType type = unit.codec().nalType(data.get(nalStart));
 *   if (type.role() == NalRole.SEQUENCE_PARAMETER_SET) { ... }
 * </pre>
 */
public sealed interface NalUnitType permits H264NalType, H265NalType {

    /** The type number as the NAL unit header carries it: 0..31 for H264, 0..63 for H265. */
    int value();

    /** What the NAL unit is to access-unit assembly. */
    NalRole role();

    /** Whether the table records {@code trait} for this type; the predicates below name each trait. */
    boolean has(NalTrait trait);

    /**
     * Whether the body, right after the NAL header, opens with a slice header whose first bit is 1
     * exactly when the slice is its picture's first: H264 first_mb_in_slice (ue(v), 0 is the bit
     * string {@code 1}), H265 first_slice_segment_in_pic_flag.
     */
    default boolean hasSliceHeader() {
        return has(NalTrait.SLICE_HEADER);
    }

    /**
     * Whether a NAL unit of this type found after a slice begins the next access unit (H.264
     * 7.4.1.2.3, H.265 7.4.2.4.4): delimiters, parameter sets, prefix SEI and their reserved kin.
     */
    default boolean beginsAccessUnit() {
        return has(NalTrait.BEGINS_ACCESS_UNIT);
    }

    /** Whether the number is an RTP payload structure (aggregation, fragmentation, PACI), not a NAL unit. */
    default boolean isRtpPayloadStructure() {
        return has(NalTrait.RTP_PAYLOAD_STRUCTURE);
    }

    /** Whether neither the codec nor its RTP payload format gives the number a meaning: receivers ignore it. */
    default boolean isUnspecified() {
        return has(NalTrait.UNSPECIFIED);
    }

    /** Whether the codec reserves the number for future use. */
    default boolean isReserved() {
        return has(NalTrait.RESERVED);
    }

    /** Whether it is a VPS, SPS or PPS. */
    default boolean isParameterSet() {
        return role().isParameterSet();
    }
}
