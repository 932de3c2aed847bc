package io.virta.bus;

import io.virta.bus.layout.CellDescriptor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

import static io.virta.bus.ChannelMemory.I64;
import static io.virta.bus.ChannelMemory.U32;

/**
 * The frame a reader pulled: metadata copied out of the cell, and the payload as a zero-copy, read-only
 * view of shared memory. One instance per reader, refilled by each pull.
 *
 * <p>The view stays valid until the writer reuses the cell, at least {@code cells - 1} commits later.
 * {@link #isIntact()} says whether that has happened; the next pull reports a frame overwritten while
 * it was held as lost.
 */
public final class Frame {
    private final int[] strides = new int[CellDescriptor.MAX_PLANES];
    private final int[] planeOffsets = new int[CellDescriptor.MAX_PLANES];
    private ChannelMemory memory;
    private MemorySegment[] payloads;
    private ByteBuffer[] buffers;
    private int cell;
    private long sequence;
    private long lost;
    private int payloadSize;
    private int flags;
    private int width;
    private int height;
    private int formatCode;
    private int streamId;
    private long captureTimeMicros;
    private long arrivalTimeMicros;
    private long commitMonotonicNanos;
    private int boxType;
    private ColorMatrix colorMatrix = ColorMatrix.UNSPECIFIED;
    private ColorRange colorRange = ColorRange.UNSPECIFIED;

    void attach(ChannelMemory memory, MemorySegment[] payloads, ByteBuffer[] buffers) {
        this.memory = memory;
        this.payloads = payloads;
        this.buffers = buffers;
        this.sequence = 0;
    }

    /** Copies the cell's metadata (docs/bus-format.md section 5.2, step 5). */
    void load(int cell, long sequence) {
        MemorySegment m = memory.memory;
        long base = memory.layout.cellMetadata(cell);
        this.cell = cell;
        this.sequence = sequence;
        long size = Integer.toUnsignedLong(m.get(U32, base + CellDescriptor.PAYLOAD_SIZE_OFFSET));
        if (size > payloads[cell].byteSize()) {
            // Only a writer that breaks section 2.3 writes this; a clamped frame would pass for a good one.
            throw new ChannelCorruptException("channel '" + memory.name + "': frame " + sequence + " claims " + size
                    + " bytes in cells of " + payloads[cell].byteSize() + ": the object is damaged; restart its writer");
        }
        payloadSize = (int) size;
        flags = m.get(U32, base + CellDescriptor.FLAGS_OFFSET);
        width = m.get(U32, base + CellDescriptor.WIDTH_OFFSET);
        height = m.get(U32, base + CellDescriptor.HEIGHT_OFFSET);
        formatCode = m.get(U32, base + CellDescriptor.FORMAT_OFFSET);
        streamId = m.get(U32, base + CellDescriptor.STREAM_ID_OFFSET);
        for (int p = 0; p < CellDescriptor.MAX_PLANES; p++) {
            strides[p] = m.get(U32, base + CellDescriptor.STRIDES_OFFSET + 4L * p);
        }
        for (int p = 1; p < CellDescriptor.MAX_PLANES; p++) {
            planeOffsets[p] = m.get(U32, base + CellDescriptor.PLANE_OFFSETS_OFFSET + 4L * (p - 1));
        }
        captureTimeMicros = m.get(I64, base + CellDescriptor.CAPTURE_TIME_MICROS_OFFSET);
        arrivalTimeMicros = m.get(I64, base + CellDescriptor.ARRIVAL_TIME_MICROS_OFFSET);
        commitMonotonicNanos = m.get(I64, base + CellDescriptor.COMMIT_MONOTONIC_NANOS_OFFSET);
        boxType = m.get(U32, base + CellDescriptor.BOX_TYPE_OFFSET);
        colorMatrix = ColorMatrix.fromCode(Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE,
                base + CellDescriptor.COLOR_MATRIX_OFFSET)));
        colorRange = ColorRange.fromCode(Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE,
                base + CellDescriptor.COLOR_RANGE_OFFSET)));
    }

    /** Drops the reference to the current frame, so that it is not judged again. */
    void forget() {
        this.sequence = 0;
    }

    void lost(long lost) {
        this.lost = lost;
    }

    /** The frame's sequence number: 1 for the writer's first frame, then consecutive. */
    public long sequence() {
        return sequence;
    }

    /** Frames lost just before this one: nonzero exactly when the pull returned OVERRUN. */
    public long lost() {
        return lost;
    }

    public int payloadSize() {
        return payloadSize;
    }

    /** The payload, read-only and zero-copy. */
    public MemorySegment payload() {
        return payloads[cell].asSlice(0, payloadSize);
    }

    /**
     * The payload as a read-only ByteBuffer (position 0, limit = payload size), zero-copy and allocation-free:
     * the same buffer object comes back for the same cell. Null for cells over 2 GiB.
     */
    public ByteBuffer payloadBuffer() {
        ByteBuffer b = buffers[cell];
        if (b != null) {
            b.limit(payloadSize).position(0);
        }
        return b;
    }

    /** Plane {@code plane} (0..3) of a planar frame, as a read-only view from its offset to the payload's end. */
    public MemorySegment plane(int plane) {
        int offset = plane == 0 ? 0 : planeOffsets[plane];
        return payloads[cell].asSlice(offset, payloadSize - offset);
    }

    /**
     * Copies {@code bytes} of the payload from {@code offset} into {@code destination} at
     * {@code destinationOffset}, without making a view first (no allocation: for per-frame copies of
     * planes or rows). Check {@link #isIntact()} afterwards, as for any read of the payload.
     *
     * @throws IndexOutOfBoundsException if the range leaves the payload or the destination
     */
    public void copyPayload(long offset, MemorySegment destination, long destinationOffset, long bytes) {
        if (offset < 0 || bytes < 0 || offset + bytes > payloadSize) {
            throw new IndexOutOfBoundsException("payload bytes [" + offset + ", " + (offset + bytes) + ") of "
                    + payloadSize);
        }
        MemorySegment.copy(payloads[cell], offset, destination, destinationOffset, bytes);
    }

    /** True while the writer has not reused this frame's cell. Check it after processing a zero-copy view. */
    public boolean isIntact() {
        return sequence != 0 && memory.cellSequence(cell) == sequence;
    }

    /**
     * Copies the payload into {@code destination} and returns true if the copy is whole; false means the
     * writer overwrote the cell during the copy and the copy must be discarded.
     */
    public boolean copyTo(MemorySegment destination) {
        MemorySegment.copy(payloads[cell], 0, destination, 0, payloadSize);
        java.lang.invoke.VarHandle.loadLoadFence();
        return isIntact();
    }

    public int flags() {
        return flags;
    }

    public boolean isKeyframe() {
        return (flags & CellDescriptor.FLAG_KEYFRAME) != 0;
    }

    /** The first fragment of an fMP4 stream: its init segment. */
    public boolean isFirst() {
        return (flags & CellDescriptor.FLAG_FIRST) != 0;
    }

    public boolean isDiscontinuity() {
        return (flags & CellDescriptor.FLAG_DISCONTINUITY) != 0;
    }

    /**
     * The frame was made from data with holes in it (packets lost in transit), or refers to such a
     * frame: the picture is the decoder's best guess until the next keyframe. Recorders keep it;
     * analyzers that need exact pictures skip it.
     */
    public boolean isDamaged() {
        return (flags & CellDescriptor.FLAG_DAMAGED) != 0;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The pixel format or codec; null for a code this release does not know. */
    public PixelFormat format() {
        return PixelFormat.fromCode(formatCode);
    }

    public int streamId() {
        return streamId;
    }

    public int stride(int plane) {
        return strides[plane];
    }

    public int planeOffset(int plane) {
        return plane == 0 ? 0 : planeOffsets[plane];
    }

    public long captureTimeMicros() {
        return captureTimeMicros;
    }

    public long arrivalTimeMicros() {
        return arrivalTimeMicros;
    }

    /** {@link System#nanoTime()} of the writer at commit; comparable with this host's nanoTime. */
    public long commitMonotonicNanos() {
        return commitMonotonicNanos;
    }

    /**
     * The matrix for turning the frame's YUV into RGB, as the source tagged it; UNSPECIFIED when it did
     * not (use {@link ColorMatrix#assumedFor(int) colorMatrix().assumedFor(height())}). UNSPECIFIED for
     * channels that carry no YUV.
     */
    public ColorMatrix colorMatrix() {
        return colorMatrix;
    }

    /** The value range of the frame's YUV samples; UNSPECIFIED when the source did not say ({@link ColorRange#assumed()}). */
    public ColorRange colorRange() {
        return colorRange;
    }

    /** The fMP4 box type ("ftyp", "moof"), or null. Allocates a String: not for hot paths. */
    public String boxType() {
        if (boxType == 0) {
            return null;
        }
        byte[] b = {(byte) boxType, (byte) (boxType >>> 8), (byte) (boxType >>> 16), (byte) (boxType >>> 24)};
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Reads one byte of the payload; convenient for checks, slow for bulk work. */
    public byte byteAt(long offset) {
        return payloads[cell].get(ValueLayout.JAVA_BYTE, offset);
    }
}
