package io.virta.bus.layout;

/**
 * One reader slot, 64 bytes, in the table at {@code readerTableOffset} (docs/bus-format.md section 2.2).
 *
 * <pre>
 *   0 u32 state: 0 FREE, 1 ACTIVE
 *   4 u32 pid
 *   8 u64 registration: differs from every earlier registration of the slot
 *  16 u8[48] doorbell semaphore name without the leading '/', NUL-padded
 * </pre>
 *
 * Slots change only under a POSIX record lock on the table's byte range, which the kernel drops if
 * the holder dies, so a crash cannot wedge the table.
 */
public final class ReaderSlotDescriptor {
    public static final int LENGTH = 64;

    public static final int STATE_OFFSET = 0;
    public static final int PID_OFFSET = 4;
    public static final int REGISTRATION_OFFSET = 8;
    public static final int DOORBELL_OFFSET = 16;
    public static final int DOORBELL_LENGTH = 48;

    public static final int STATE_FREE = 0;
    public static final int STATE_ACTIVE = 1;

    public static final int DEFAULT_SLOTS = 64;
    public static final int MAX_SLOTS = 1024;

    private ReaderSlotDescriptor() {
    }
}
