package io.virta.bus;

import io.virta.bus.layout.CellDescriptor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static io.virta.bus.ChannelMemory.I64;
import static io.virta.bus.ChannelMemory.U32;

/**
 * The cell a writer has claimed: fill {@link #payload()} in place, set the metadata, then
 * {@link ChannelWriter#commit()}. Setters write straight into the cell's metadata, which readers ignore
 * until the commit. One instance per writer, reused for every frame.
 */
public final class WritableFrame {
    private final ChannelWriter writer;
    private final MemorySegment memory;
    private final MemorySegment[] payloads;
    private long metadata;
    private int cell;
    private long sequence;

    WritableFrame(ChannelWriter writer, MemorySegment memory, MemorySegment[] payloads) {
        this.writer = writer;
        this.memory = memory;
        this.payloads = payloads;
    }

    /** Resets the claimed cell's metadata to the channel's nominal geometry. */
    void reset(int cell, long metadataOffset, long sequence, ChannelSpec spec, long defaultSize) {
        this.cell = cell;
        this.metadata = metadataOffset;
        this.sequence = sequence;
        // Everything after `sequence` to zero, colour included (UNSPECIFIED). Plain stores rather than
        // asSlice().fill(): a slice is an object per claim unless escape analysis removes it.
        for (long offset = CellDescriptor.PAYLOAD_SIZE_OFFSET; offset < CellDescriptor.LENGTH; offset += Long.BYTES) {
            memory.set(I64, metadataOffset + offset, 0L);
        }
        set(CellDescriptor.PAYLOAD_SIZE_OFFSET, (int) defaultSize);
        set(CellDescriptor.WIDTH_OFFSET, spec.width());
        set(CellDescriptor.HEIGHT_OFFSET, spec.height());
        set(CellDescriptor.FORMAT_OFFSET, spec.format().code());
        FrameGeometry.writeDefaultPlanes(spec, memory, metadataOffset);
    }

    /** The writable payload of the cell, {@code capacity} bytes long. A decoder may write straight into it. */
    public MemorySegment payload() {
        return payloads[cell];
    }

    /** The sequence number this frame will have. */
    public long sequence() {
        return sequence;
    }

    public WritableFrame payloadSize(long bytes) {
        if (bytes < 0 || bytes > payloads[cell].byteSize()) {
            throw new PayloadTooLargeException(writer.name(), bytes, payloads[cell].byteSize());
        }
        set(CellDescriptor.PAYLOAD_SIZE_OFFSET, (int) bytes);
        return this;
    }

    public WritableFrame size(int width, int height) {
        set(CellDescriptor.WIDTH_OFFSET, width);
        set(CellDescriptor.HEIGHT_OFFSET, height);
        return this;
    }

    public WritableFrame format(PixelFormat format) {
        set(CellDescriptor.FORMAT_OFFSET, format.code());
        return this;
    }

    public WritableFrame streamId(int streamId) {
        set(CellDescriptor.STREAM_ID_OFFSET, streamId);
        return this;
    }

    /** Bytes per row of plane {@code plane} (0..3). */
    public WritableFrame stride(int plane, int bytes) {
        set(CellDescriptor.STRIDES_OFFSET + 4 * plane, bytes);
        return this;
    }

    /** Where plane {@code plane} (1..3) starts in the payload; plane 0 starts at 0. */
    public WritableFrame planeOffset(int plane, int offset) {
        if (plane < 1 || plane > 3) {
            throw new IllegalArgumentException("plane offsets exist for planes 1..3, not " + plane);
        }
        set(CellDescriptor.PLANE_OFFSETS_OFFSET + 4 * (plane - 1), offset);
        return this;
    }

    public WritableFrame captureTimeMicros(long micros) {
        memory.set(I64, metadata + CellDescriptor.CAPTURE_TIME_MICROS_OFFSET, micros);
        return this;
    }

    public WritableFrame arrivalTimeMicros(long micros) {
        memory.set(I64, metadata + CellDescriptor.ARRIVAL_TIME_MICROS_OFFSET, micros);
        return this;
    }

    public WritableFrame keyframe(boolean keyframe) {
        return flag(CellDescriptor.FLAG_KEYFRAME, keyframe);
    }

    /** Marks the first fragment of an fMP4 stream (its init segment). */
    public WritableFrame first(boolean first) {
        return flag(CellDescriptor.FLAG_FIRST, first);
    }

    /** Marks that the source lost frames just before this one. */
    public WritableFrame discontinuity(boolean discontinuity) {
        return flag(CellDescriptor.FLAG_DISCONTINUITY, discontinuity);
    }

    /**
     * Marks a frame made from data with holes in it (packets lost in transit) or from one that refers
     * to such a frame: shown with the decoder's concealment, until the next keyframe.
     */
    public WritableFrame damaged(boolean damaged) {
        return flag(CellDescriptor.FLAG_DAMAGED, damaged);
    }

    /**
     * The colour matrix and range of a YUV frame (docs/bus-format.md 3.3 and 3.4). Every claim starts
     * at UNSPECIFIED/UNSPECIFIED, so a writer that does not know them says nothing rather than
     * repeating an earlier frame's.
     */
    public WritableFrame color(ColorMatrix matrix, ColorRange range) {
        memory.set(ValueLayout.JAVA_BYTE, metadata + CellDescriptor.COLOR_MATRIX_OFFSET, (byte) matrix.code());
        memory.set(ValueLayout.JAVA_BYTE, metadata + CellDescriptor.COLOR_RANGE_OFFSET, (byte) range.code());
        return this;
    }

    /** The ISO BMFF type of the payload's first box, four ASCII characters such as "moof". */
    public WritableFrame boxType(String fourCc) {
        return boxType(fourCc.getBytes(StandardCharsets.US_ASCII));
    }

    /** The box type as four ASCII bytes: per-frame writers keep the array and allocate nothing. */
    public WritableFrame boxType(byte[] b) {
        if (b.length != 4) {
            throw new IllegalArgumentException("channel '" + writer.name() + "': an fMP4 box type has 4 characters, not '"
                    + new String(b, StandardCharsets.US_ASCII) + "'");
        }
        memory.set(U32, metadata + CellDescriptor.BOX_TYPE_OFFSET,
                (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24);
        return this;
    }

    long captureTimeMicros() {
        return memory.get(I64, metadata + CellDescriptor.CAPTURE_TIME_MICROS_OFFSET);
    }

    long arrivalTimeMicros() {
        return memory.get(I64, metadata + CellDescriptor.ARRIVAL_TIME_MICROS_OFFSET);
    }

    void commitTime(long monotonicNanos) {
        memory.set(I64, metadata + CellDescriptor.COMMIT_MONOTONIC_NANOS_OFFSET, monotonicNanos);
    }

    int cell() {
        return cell;
    }

    private WritableFrame flag(int bit, boolean on) {
        int flags = memory.get(U32, metadata + CellDescriptor.FLAGS_OFFSET);
        set(CellDescriptor.FLAGS_OFFSET, on ? flags | bit : flags & ~bit);
        return this;
    }

    private void set(int field, int value) {
        memory.set(U32, metadata + field, value);
    }
}
