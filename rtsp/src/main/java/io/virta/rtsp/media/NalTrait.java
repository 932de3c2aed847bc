package io.virta.rtsp.media;

/**
 * The yes-or-no facts the NAL unit type tables ({@link H264NalType}, {@link H265NalType}) record per
 * type; {@link NalUnitType#has} asks for one, and {@link NalUnitType}'s predicates name each.
 */
public enum NalTrait {
    /** The body opens with a slice header whose first bit is 1 exactly for a picture's first slice. */
    SLICE_HEADER,
    /** Found after a slice, it begins the next access unit (H.264 7.4.1.2.3, H.265 7.4.2.4.4). */
    BEGINS_ACCESS_UNIT,
    /** Not a NAL unit of the codec but an RTP payload structure (RFC 6184 / RFC 7798) using its number. */
    RTP_PAYLOAD_STRUCTURE,
    /** Left unspecified by the codec and by its RTP payload format: a receiver ignores it. */
    UNSPECIFIED,
    /** Reserved by the codec for future use. */
    RESERVED;

    /** This trait's bit in a set of traits packed into an int. */
    final int bit = 1 << ordinal();

    /** {@code traits} packed into an int, for the tables' constructors. */
    static int pack(NalTrait... traits) {
        int bits = 0;
        for (NalTrait trait : traits) {
            bits |= trait.bit;
        }
        return bits;
    }
}
