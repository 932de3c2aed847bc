package io.virta.recorder.format;

/**
 * The segment header at offset 0 of every segment file (docs/recording-format.md section 3).
 *
 * <pre>
 *   0 u8[8] magic "VIRTAREC"          56 u64 allocatedLength (the preallocated file size)
 *   8 u32 formatVersion                64 u8[64] camera, ASCII, NUL-padded
 *  12 u32 recordsOffset (4096)        128 u32 headerChecksum: CRC32C of [0,128) then [132,4096)
 *  16 u32 codec (bus format code)     132 reserved up to 256
 *  20 u32 width                       256 u8[parameterSetsLength] parameter sets, Annex-B
 *  24 u32 height                          reserved up to 4096
 *  28 u32 parameterSetsLength
 *  32 u64 segmentId
 *  40 i64 startTimeMicros
 *  48 i64 createdMicros
 * </pre>
 *
 * The header is written once, before the first record, and never changes: a torn header means the
 * file holds no record either (section 6, step 4).
 */
public final class SegmentHeaderDescriptor {
    /** "VIRTAREC" read as a little-endian u64. */
    public static final long MAGIC = 0x4345524154524956L;
    public static final int FORMAT_VERSION = 1;
    /** The header's size and the offset of the first record: one page, so records start page aligned. */
    public static final int LENGTH = 4096;

    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_VERSION_OFFSET = 8;
    public static final int RECORDS_OFFSET_OFFSET = 12;
    public static final int CODEC_OFFSET = 16;
    public static final int WIDTH_OFFSET = 20;
    public static final int HEIGHT_OFFSET = 24;
    public static final int PARAMETER_SETS_LENGTH_OFFSET = 28;
    public static final int SEGMENT_ID_OFFSET = 32;
    public static final int START_TIME_MICROS_OFFSET = 40;
    public static final int CREATED_MICROS_OFFSET = 48;
    public static final int ALLOCATED_LENGTH_OFFSET = 56;
    public static final int CAMERA_OFFSET = 64;
    public static final int CAMERA_LENGTH = 64;
    public static final int CHECKSUM_OFFSET = 128;
    public static final int PARAMETER_SETS_OFFSET = 256;
    public static final int MAX_PARAMETER_SETS_LENGTH = LENGTH - PARAMETER_SETS_OFFSET;

    private SegmentHeaderDescriptor() {
    }
}
