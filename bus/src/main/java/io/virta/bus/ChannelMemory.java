package io.virta.bus;

import io.virta.bus.layout.CellDescriptor;
import io.virta.bus.layout.ChannelHeaderDescriptor;
import io.virta.bus.layout.ChannelLayout;
import io.virta.bus.layout.ReaderSlotDescriptor;
import io.virta.bus.posix.SharedMemoryObject;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static io.virta.bus.layout.ChannelHeaderDescriptor.*;

/**
 * A flyweight over one mapped channel object: typed, ordered access to the header, the reader slots
 * and the cell metadata of docs/bus-format.md. Writer and readers share it; it holds no state beyond
 * the mapping and the layout read from the header.
 */
final class ChannelMemory implements AutoCloseable {
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = I64.varHandle();
    private static final VarHandle INT = U32.varHandle();

    final String name;
    final SharedMemoryObject object;
    final MemorySegment memory;
    final ChannelLayout layout;
    final ChannelType type;

    private ChannelMemory(String name, SharedMemoryObject object, ChannelLayout layout, ChannelType type) {
        this.name = name;
        this.object = object;
        this.memory = object.segment();
        this.layout = layout;
        this.type = type;
    }

    /** Writes a fresh header into a new, zero-filled object (docs/bus-format.md section 4, step 2). */
    static ChannelMemory initialize(SharedMemoryObject object, ChannelSpec spec, ChannelLayout layout,
                                    int writerPid, long startMicros, long generation) {
        MemorySegment m = object.segment();
        m.set(I64, MAGIC_OFFSET, MAGIC);
        m.set(U32, FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        m.set(U32, CHANNEL_TYPE_OFFSET, spec.type().code());
        m.set(U32, CELL_COUNT_OFFSET, layout.cellCount());
        m.set(U32, READER_SLOT_COUNT_OFFSET, layout.readerSlotCount());
        m.set(I64, CELL_CAPACITY_OFFSET, layout.cellCapacity());
        m.set(I64, CELL_STRIDE_OFFSET, layout.cellStride());
        m.set(I64, READER_TABLE_OFFSET_OFFSET, layout.readerTableOffset());
        m.set(I64, CELL_METADATA_OFFSET_OFFSET, layout.cellMetadataOffset());
        m.set(I64, PAYLOAD_OFFSET_OFFSET, layout.payloadOffset());
        m.set(I64, TOTAL_SIZE_OFFSET, layout.totalSize());
        m.set(U32, WIDTH_OFFSET, spec.width());
        m.set(U32, HEIGHT_OFFSET, spec.height());
        m.set(U32, FORMAT_OFFSET, spec.format().code());
        m.set(U32, WRITER_PID_OFFSET, writerPid);
        m.set(I64, START_TIME_MICROS_OFFSET, startMicros);
        m.set(I64, GENERATION_OFFSET, generation);
        writeAscii(m, NAME_OFFSET, NAME_LENGTH, spec.name());
        m.set(I64, HEARTBEAT_MICROS_OFFSET, startMicros);
        m.set(U32, STATE_OFFSET, STATE_LIVE);
        return new ChannelMemory(spec.name(), object, layout, spec.type());
    }

    /** Maps the object named {@code path} and validates it; nothing stays open if it is not a channel. */
    static ChannelMemory open(String name, java.nio.file.Path path) throws java.io.IOException {
        SharedMemoryObject object = SharedMemoryObject.openExisting(path);
        try {
            return attach(name, object);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /** Validates the header of an existing object and reads its layout (section 5.1, step 2). */
    static ChannelMemory attach(String name, SharedMemoryObject object) {
        MemorySegment m = object.segment();
        if (m.byteSize() < ChannelHeaderDescriptor.LENGTH || m.get(I64, MAGIC_OFFSET) != MAGIC) {
            throw new ChannelCorruptException("'" + object.path() + "' is not a Virta channel (no VIRTABUS"
                    + " header): remove it (virta bus clean, or rm) and restart the writer of '" + name + "'");
        }
        int version = m.get(U32, FORMAT_VERSION_OFFSET);
        if (version != FORMAT_VERSION) {
            throw new ChannelMismatchException("channel '" + name + "' uses bus format version " + version
                    + ", this reader understands version " + FORMAT_VERSION
                    + ": run writer and readers from the same Virta release");
        }
        ChannelType type = ChannelType.fromCode(m.get(U32, CHANNEL_TYPE_OFFSET));
        int cells = m.get(U32, CELL_COUNT_OFFSET);
        int slots = m.get(U32, READER_SLOT_COUNT_OFFSET);
        long capacity = m.get(I64, CELL_CAPACITY_OFFSET);
        ChannelLayout expected = ChannelLayout.compute(Math.max(cells, 0), Math.max(slots, 0), capacity);
        ChannelLayout actual = new ChannelLayout(cells, slots, capacity, m.get(I64, CELL_STRIDE_OFFSET),
                m.get(I64, READER_TABLE_OFFSET_OFFSET), m.get(I64, CELL_METADATA_OFFSET_OFFSET),
                m.get(I64, PAYLOAD_OFFSET_OFFSET), m.get(I64, TOTAL_SIZE_OFFSET));
        if (type == null || cells < 2 || slots < 1 || slots > ReaderSlotDescriptor.MAX_SLOTS || capacity < 1
                || !layoutFits(actual, m.byteSize()) || actual.cellStride() < capacity) {
            throw new ChannelCorruptException("channel '" + name + "' has an inconsistent header (type "
                    + m.get(U32, CHANNEL_TYPE_OFFSET) + ", " + cells + " cells of " + capacity + " bytes, "
                    + slots + " reader slots, object " + m.byteSize() + " bytes, expected layout " + expected
                    + "): restart its writer");
        }
        return new ChannelMemory(name, object, actual, type);
    }

    private static boolean layoutFits(ChannelLayout l, long objectSize) {
        return l.totalSize() == objectSize
                && l.readerTableOffset() >= ChannelHeaderDescriptor.LENGTH
                && l.cellMetadataOffset() >= l.readerTableOffset() + l.readerTableLength()
                && l.payloadOffset() >= l.cellMetadataOffset() + (long) l.cellCount() * CellDescriptor.LENGTH
                && l.payloadOffset() + l.cellStride() * l.cellCount() <= objectSize
                && l.readerTableOffset() % 64 == 0 && l.cellMetadataOffset() % 64 == 0
                && l.payloadOffset() % 64 == 0 && l.cellStride() % 64 == 0;
    }

    // ---- header ----

    int width() {
        return memory.get(U32, WIDTH_OFFSET);
    }

    int height() {
        return memory.get(U32, HEIGHT_OFFSET);
    }

    int formatCode() {
        return memory.get(U32, FORMAT_OFFSET);
    }

    int writerPid() {
        return memory.get(U32, WRITER_PID_OFFSET);
    }

    long startTimeMicros() {
        return memory.get(I64, START_TIME_MICROS_OFFSET);
    }

    long generation() {
        return memory.get(I64, GENERATION_OFFSET);
    }

    long writeSequence() {
        return (long) LONG.getAcquire(memory, (long) WRITE_SEQUENCE_OFFSET);
    }

    void publishWriteSequence(long sequence) {
        LONG.setRelease(memory, (long) WRITE_SEQUENCE_OFFSET, sequence);
    }

    long heartbeatMicros() {
        return (long) LONG.getAcquire(memory, (long) HEARTBEAT_MICROS_OFFSET);
    }

    void heartbeat(long nowMicros) {
        LONG.setRelease(memory, (long) HEARTBEAT_MICROS_OFFSET, nowMicros);
    }

    int state() {
        return (int) INT.getAcquire(memory, (long) STATE_OFFSET);
    }

    void state(int state) {
        INT.setVolatile(memory, (long) STATE_OFFSET, state);
    }

    /**
     * Runs {@code action} under the header lock (docs/bus-format.md section 4), which writers hold while
     * they replace or close a channel; readers never take it. Returns {@code busy.get()} instead if
     * another process holds it for longer than {@link ChannelHeaderDescriptor#LOCK_PATIENCE_NANOS}.
     */
    <T> T withHeaderLock(java.util.function.Supplier<T> action, java.util.function.Supplier<T> busy) {
        return withHeaderLock(object, action, busy);
    }

    static <T> T withHeaderLock(SharedMemoryObject object, java.util.function.Supplier<T> action,
                                java.util.function.Supplier<T> busy) {
        return object.withRecordLockWithin(LOCK_OFFSET, LOCK_LENGTH, LOCK_PATIENCE_NANOS, action, busy);
    }

    // ---- cells ----

    long cellSequence(int cell) {
        return (long) LONG.getAcquire(memory, layout.cellMetadata(cell) + CellDescriptor.SEQUENCE_OFFSET);
    }

    /** Marks a cell as being written; the fence keeps payload stores from moving above the mark. */
    void markWriting(int cell) {
        memory.set(I64, layout.cellMetadata(cell) + CellDescriptor.SEQUENCE_OFFSET, CellDescriptor.SEQUENCE_WRITING);
        VarHandle.storeStoreFence();
    }

    void publishCellSequence(int cell, long sequence) {
        LONG.setRelease(memory, layout.cellMetadata(cell) + CellDescriptor.SEQUENCE_OFFSET, sequence);
    }

    MemorySegment payload(int cell) {
        return memory.asSlice(layout.cellPayload(cell), layout.cellCapacity());
    }

    // ---- reader slots ----

    int slotState(int slot) {
        return (int) INT.getAcquire(memory, layout.readerSlot(slot) + ReaderSlotDescriptor.STATE_OFFSET);
    }

    int slotPid(int slot) {
        return memory.get(U32, layout.readerSlot(slot) + ReaderSlotDescriptor.PID_OFFSET);
    }

    long slotRegistration(int slot) {
        return (long) LONG.getAcquire(memory, layout.readerSlot(slot) + ReaderSlotDescriptor.REGISTRATION_OFFSET);
    }

    String slotDoorbell(int slot) {
        return readAscii(memory, layout.readerSlot(slot) + ReaderSlotDescriptor.DOORBELL_OFFSET,
                ReaderSlotDescriptor.DOORBELL_LENGTH);
    }

    /** Takes a free slot for a reader, under the table's record lock; returns the slot or -1 if none is free. */
    int register(int pid, long registration, String doorbell) {
        return object.withRecordLock(layout.readerTableOffset(), layout.readerTableLength(), () -> {
            for (int slot = 0; slot < layout.readerSlotCount(); slot++) {
                if (slotState(slot) == ReaderSlotDescriptor.STATE_FREE) {
                    long base = layout.readerSlot(slot);
                    // Doorbell before registration: a writer that reads the same registration before and
                    // after the name knows the name is whole (docs/bus-format.md 5.1, step 4).
                    memory.set(U32, base + ReaderSlotDescriptor.PID_OFFSET, pid);
                    writeAscii(memory, base + ReaderSlotDescriptor.DOORBELL_OFFSET,
                            ReaderSlotDescriptor.DOORBELL_LENGTH, doorbell);
                    VarHandle.storeStoreFence();
                    LONG.setRelease(memory, base + ReaderSlotDescriptor.REGISTRATION_OFFSET, registration);
                    INT.setRelease(memory, base + ReaderSlotDescriptor.STATE_OFFSET, ReaderSlotDescriptor.STATE_ACTIVE);
                    return slot;
                }
            }
            return -1;
        });
    }

    /** Frees a slot if it still holds this registration. */
    void unregister(int slot, long registration) {
        object.withRecordLock(layout.readerTableOffset(), layout.readerTableLength(), () -> {
            if (slotState(slot) == ReaderSlotDescriptor.STATE_ACTIVE && slotRegistration(slot) == registration) {
                INT.setRelease(memory, layout.readerSlot(slot) + ReaderSlotDescriptor.STATE_OFFSET,
                        ReaderSlotDescriptor.STATE_FREE);
            }
            return null;
        });
    }

    /** Frees a slot whose reader died; returns its doorbell name for unlinking, or null if it was not dead. */
    String reclaimIfDead(int slot, java.util.function.IntPredicate alive) {
        return object.withRecordLock(layout.readerTableOffset(), layout.readerTableLength(), () -> {
            if (slotState(slot) != ReaderSlotDescriptor.STATE_ACTIVE || alive.test(slotPid(slot))) {
                return null;
            }
            String doorbell = slotDoorbell(slot);
            INT.setRelease(memory, layout.readerSlot(slot) + ReaderSlotDescriptor.STATE_OFFSET,
                    ReaderSlotDescriptor.STATE_FREE);
            return doorbell;
        });
    }

    @Override
    public void close() {
        object.close();
    }

    static void writeAscii(MemorySegment m, long offset, int length, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        int n = Math.min(bytes.length, length - 1);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, m, offset, n);
        m.asSlice(offset + n, length - n).fill((byte) 0);
    }

    static String readAscii(MemorySegment m, long offset, int length) {
        int n = 0;
        while (n < length && m.get(ValueLayout.JAVA_BYTE, offset + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, offset, bytes, 0, n);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
