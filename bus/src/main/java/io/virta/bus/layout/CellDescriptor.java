package io.virta.bus.layout;

/**
 * Metadata of one cell, 128 bytes, in the array at {@code cellMetadataOffset}
 * (docs/bus-format.md section 2.3). The payload lives apart, at {@code payloadOffset + i * cellStride},
 * so that scanning metadata never drags payload cache lines along.
 *
 * <pre>
 *   0 i64 sequence: 0 never written, -1 being written, else the frame's sequence number
 *   8 u32 payloadSize           48 u32[3] planeOffsets of planes 1..3
 *  12 u32 flags                 60 u8 colorMatrix, 61 u8 colorRange, 62 u16 reserved
 *  16 u32 width                 64 i64 captureTimeMicros
 *  20 u32 height                72 i64 arrivalTimeMicros
 *  24 u32 format                80 i64 commitMonotonicNanos
 *  28 u32 streamId              88 u8[4] boxType (fMP4)
 *  32 u32[4] strides            92 reserved up to 128
 * </pre>
 */
public final class CellDescriptor {
    public static final int LENGTH = 128;

    public static final int SEQUENCE_OFFSET = 0;
    public static final int PAYLOAD_SIZE_OFFSET = 8;
    public static final int FLAGS_OFFSET = 12;
    public static final int WIDTH_OFFSET = 16;
    public static final int HEIGHT_OFFSET = 20;
    public static final int FORMAT_OFFSET = 24;
    public static final int STREAM_ID_OFFSET = 28;
    public static final int STRIDES_OFFSET = 32;
    public static final int PLANE_OFFSETS_OFFSET = 48;
    /**
     * u8: the YUV-to-RGB matrix of the picture (section 3.3, {@link io.virta.bus.ColorMatrix}); 0 = unspecified.
     * Offsets 60..63 were one reserved u32 that every writer zeroes, so old writers read as unspecified.
     * 62..63 stay reserved (u16, zero).
     */
    public static final int COLOR_MATRIX_OFFSET = 60;
    /** u8: the picture's value range (section 3.4, {@link io.virta.bus.ColorRange}); 0 = unspecified. */
    public static final int COLOR_RANGE_OFFSET = 61;
    public static final int CAPTURE_TIME_MICROS_OFFSET = 64;
    public static final int ARRIVAL_TIME_MICROS_OFFSET = 72;
    public static final int COMMIT_MONOTONIC_NANOS_OFFSET = 80;
    public static final int BOX_TYPE_OFFSET = 88;

    public static final int MAX_PLANES = 4;

    public static final long SEQUENCE_EMPTY = 0;
    public static final long SEQUENCE_WRITING = -1;

    public static final int FLAG_KEYFRAME = 1;
    public static final int FLAG_FIRST = 1 << 1;
    public static final int FLAG_DISCONTINUITY = 1 << 2;
    public static final int FLAG_DAMAGED = 1 << 3;

    private CellDescriptor() {
    }
}
