package io.virta.bus.layout;

/**
 * Where each region of a channel object starts, computed from its cell count, capacity and reader
 * slots (docs/bus-format.md section 2). Writers compute it; readers read the same numbers back from
 * the header and never recompute them.
 */
public record ChannelLayout(int cellCount, int readerSlotCount, long cellCapacity, long cellStride,
                            long readerTableOffset, long cellMetadataOffset, long payloadOffset,
                            long totalSize) {

    public static final int PAGE = 4096;
    public static final int CACHE_LINE = 64;

    public static ChannelLayout compute(int cellCount, int readerSlotCount, long cellCapacity) {
        long stride = alignUp(Math.max(cellCapacity, 1), cellCapacity >= PAGE ? PAGE : CACHE_LINE);
        long readerTable = ChannelHeaderDescriptor.LENGTH;
        long metadata = readerTable + alignUp((long) readerSlotCount * ReaderSlotDescriptor.LENGTH, PAGE);
        long payload = metadata + alignUp((long) cellCount * CellDescriptor.LENGTH, PAGE);
        long total = payload + stride * cellCount;
        return new ChannelLayout(cellCount, readerSlotCount, cellCapacity, stride, readerTable, metadata,
                payload, total);
    }

    public long cellMetadata(int cell) {
        return cellMetadataOffset + (long) cell * CellDescriptor.LENGTH;
    }

    public long cellPayload(int cell) {
        return payloadOffset + cell * cellStride;
    }

    public long readerSlot(int slot) {
        return readerTableOffset + (long) slot * ReaderSlotDescriptor.LENGTH;
    }

    public long readerTableLength() {
        return (long) readerSlotCount * ReaderSlotDescriptor.LENGTH;
    }

    static long alignUp(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }
}
