package io.virta.bus.layout;

/**
 * The channel header at offset 0 of the shared-memory object (docs/bus-format.md section 2.1).
 *
 * <pre>
 *   0 u8[8] magic "VIRTABUS"          88 i64 startTimeMicros
 *   8 u32 formatVersion                96 u64 generation
 *  12 u32 channelType                 104 u8[24] reserved
 *  16 u32 cellCount                   128 u8[64] name, NUL-padded
 *  20 u32 readerSlotCount             192 u8[64] reserved
 *  24 u64 cellCapacity                256 i64 writeSequence   (alone on its cache line)
 *  32 u64 cellStride                  320 i64 heartbeatMicros (alone on its cache line)
 *  40 u64 readerTableOffset           384 u32 state: 1 LIVE, 2 CLOSED, 3 REPLACED
 *  48 u64 cellMetadataOffset
 *  56 u64 payloadOffset               388 reserved up to 4096
 *  64 u64 totalSize
 *  72 u32 width, 76 u32 height, 80 u32 format, 84 u32 writerPid
 * </pre>
 *
 * Everything before offset 256 is written once, before the object appears under its name. A writer
 * that replaces or closes a channel holds the <em>header lock</em>, a POSIX record lock on bytes
 * [{@value #LOCK_OFFSET}, {@value #LOCK_LENGTH}), while it marks the object and renames or removes
 * its name (section 4): so a writer that was judged stale cannot remove its successor's object.
 */
public final class ChannelHeaderDescriptor {
    /** "VIRTABUS" read as a little-endian u64. */
    public static final long MAGIC = 0x5355424154524956L;
    public static final int FORMAT_VERSION = 1;
    public static final int LENGTH = 4096;

    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_VERSION_OFFSET = 8;
    public static final int CHANNEL_TYPE_OFFSET = 12;
    public static final int CELL_COUNT_OFFSET = 16;
    public static final int READER_SLOT_COUNT_OFFSET = 20;
    public static final int CELL_CAPACITY_OFFSET = 24;
    public static final int CELL_STRIDE_OFFSET = 32;
    public static final int READER_TABLE_OFFSET_OFFSET = 40;
    public static final int CELL_METADATA_OFFSET_OFFSET = 48;
    public static final int PAYLOAD_OFFSET_OFFSET = 56;
    public static final int TOTAL_SIZE_OFFSET = 64;
    public static final int WIDTH_OFFSET = 72;
    public static final int HEIGHT_OFFSET = 76;
    public static final int FORMAT_OFFSET = 80;
    public static final int WRITER_PID_OFFSET = 84;
    public static final int START_TIME_MICROS_OFFSET = 88;
    public static final int GENERATION_OFFSET = 96;
    public static final int NAME_OFFSET = 128;
    public static final int NAME_LENGTH = 64;
    public static final int WRITE_SEQUENCE_OFFSET = 256;
    public static final int HEARTBEAT_MICROS_OFFSET = 320;
    public static final int STATE_OFFSET = 384;

    /** The header lock's byte range; the reader table's lock covers other bytes. */
    public static final int LOCK_OFFSET = 0;
    public static final int LOCK_LENGTH = LENGTH;
    /** How long a writer or cleaner waits for the header lock before it gives up (section 4). */
    public static final long LOCK_PATIENCE_NANOS = 1_000_000_000L;

    public static final int STATE_LIVE = 1;
    public static final int STATE_CLOSED = 2;
    public static final int STATE_REPLACED = 3;

    /** A writer refreshes its heartbeat at least this often. */
    public static final long HEARTBEAT_INTERVAL_MILLIS = 100;
    /**
     * How often the writers of a process refresh it: half the promise, so that a late wake-up of the
     * refreshing thread still keeps it.
     */
    public static final long HEARTBEAT_TICK_MILLIS = HEARTBEAT_INTERVAL_MILLIS / 2;
    /** A heartbeat older than this means the writer hangs or is gone, whatever its pid says. */
    public static final long HEARTBEAT_STALE_MICROS = 5_000_000;

    private ChannelHeaderDescriptor() {
    }
}
