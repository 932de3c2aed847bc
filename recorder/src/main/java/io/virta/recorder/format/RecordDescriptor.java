package io.virta.recorder.format;

/**
 * One record in a segment file (docs/recording-format.md section 4): a 32-byte header, then the
 * payload, then zero padding up to the next multiple of {@value #ALIGNMENT}.
 *
 * <pre>
 *   0 u32 magic: "VFRM" a frame, "VEND" the seal (section 4.2)
 *   4 u32 payloadLength
 *   8 i64 captureTimeMicros
 *  16 i64 sequence: the bus sequence number (the seal: that of the segment's last frame)
 *  24 u32 flags: the bus cell's flags (bit 0 KEYFRAME, bit 2 DISCONTINUITY, bit 3 DAMAGED)
 *  28 u32 checksum: CRC32C of bytes [0,28) then the payload
 *  32 payload
 * </pre>
 *
 * Preallocated space reads as zero, and zero is no magic: the first record whose magic is not one of
 * the two, or whose checksum fails, ends what can be trusted (section 6).
 */
public final class RecordDescriptor {
    public static final int HEADER_LENGTH = 32;
    public static final int ALIGNMENT = 8;

    /** "VFRM" read as a little-endian u32. */
    public static final int MAGIC_FRAME = 0x4D524656;
    /** "VEND" read as a little-endian u32. */
    public static final int MAGIC_SEAL = 0x444E4556;

    public static final int MAGIC_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int CAPTURE_TIME_MICROS_OFFSET = 8;
    public static final int SEQUENCE_OFFSET = 16;
    public static final int FLAGS_OFFSET = 24;
    public static final int CHECKSUM_OFFSET = 28;
    /** The checksum covers the header fields before it, then the payload. */
    public static final int CHECKSUMMED_HEADER_LENGTH = CHECKSUM_OFFSET;

    /** The bus's flag bits (docs/bus-format.md section 2.3), kept as they were. */
    public static final int FLAG_KEYFRAME = 1;
    public static final int FLAG_DISCONTINUITY = 1 << 2;
    public static final int FLAG_DAMAGED = 1 << 3;

    /**
     * The largest payload a reader believes. A length above it is damage, not a frame: it keeps a
     * flipped bit in a length field from sending a reader to read gigabytes.
     */
    public static final int MAX_PAYLOAD_LENGTH = 64 << 20;

    private RecordDescriptor() {
    }

    /** Where the record after one that starts at {@code offset} with this payload length starts. */
    public static long nextRecordOffset(long offset, int payloadLength) {
        return alignUp(offset + HEADER_LENGTH + payloadLength);
    }

    public static long alignUp(long offset) {
        return (offset + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
