package io.virta.worker;

import io.virta.bus.ChannelReader;
import io.virta.bus.Frame;
import io.virta.bus.PixelFormat;
import io.virta.worker.opencv.CellMats;
import org.bytedeco.opencv.opencv_core.Mat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The frame a worker analyzes: the bus frame's metadata, and its pixels as zero-copy views of the
 * shared memory, raw ({@link #payload()}, {@link #payloadBuffer()}) or as an OpenCV {@link #mat()}.
 * One instance per stream, refilled by each {@link FrameStream#next}; nothing is allocated per frame.
 *
 * <p>The views are valid until the next {@code next} call, and only while the writer has not reused the
 * frame's cell: after analyzing, {@link #isIntact()} says whether the result is trustworthy (a writer
 * laps a ring of 8 cells at 25 frames/s after about 300 ms). The views are for reading: the same memory
 * is every other reader's picture.
 */
public final class WorkerFrame {
    private final ChannelReader reader;
    private final Frame frame;
    private final CellMats mats;

    WorkerFrame(ChannelReader reader) {
        this.reader = reader;
        this.frame = reader.frame();
        this.mats = new CellMats(reader.name());
    }

    /** The bus frame underneath, for what this class does not repeat. */
    public Frame busFrame() {
        return frame;
    }

    /**
     * The picture as an OpenCV Mat over the shared memory: no copy, and no allocation after the first frame
     * in each ring cell. RGB24 gives rows x cols CV_8UC3 in R,G,B order (use {@code COLOR_RGB2GRAY},
     * {@code COLOR_RGB2BGR}); tightly packed I420 gives a (rows * 3 / 2) x cols CV_8UC1 Mat. Do not
     * write into it, and do not keep it past the next frame.
     *
     * @throws UnsupportedOperationException for encoded frames, and planar frames with padded rows
     */
    public Mat mat() {
        return mats.mat(frame, cell(), reader.cells());
    }

    /** The luma plane of an I420, NV12 or GRAY8 frame, rows x cols CV_8UC1, zero-copy. */
    public Mat lumaMat() {
        return mats.luma(frame, cell(), reader.cells());
    }

    private int cell() {
        return (int) ((frame.sequence() - 1) % reader.cells());
    }

    /** The payload, read-only and zero-copy (a view object; {@link #payloadBuffer()} makes none). */
    public MemorySegment payload() {
        return frame.payload();
    }

    /** The payload as a read-only ByteBuffer at position 0, zero-copy; the same object for each cell. */
    public ByteBuffer payloadBuffer() {
        return frame.payloadBuffer();
    }

    /** Plane {@code plane} (0..3) of a planar frame: from its offset to the payload's end. */
    public MemorySegment plane(int plane) {
        return frame.plane(plane);
    }

    /** True while the writer has not reused this frame's cell: check it after analyzing. */
    public boolean isIntact() {
        return frame.isIntact();
    }

    /** The frame's sequence number in its channel: 1 for a writer's first frame, then consecutive. */
    public long sequence() {
        return frame.sequence();
    }

    /** Frames lost just before this one (nonzero after an overrun). */
    public long lost() {
        return frame.lost();
    }

    /** The picture's capture time, microseconds since the Unix epoch: what events report. */
    public long captureTimeMicros() {
        return frame.captureTimeMicros();
    }

    public long arrivalTimeMicros() {
        return frame.arrivalTimeMicros();
    }

    public int width() {
        return frame.width();
    }

    public int height() {
        return frame.height();
    }

    /** The pixel format, or the codec of an encoded frame; null for a code this release does not know. */
    public PixelFormat format() {
        return frame.format();
    }

    public int stride(int plane) {
        return frame.stride(plane);
    }

    public int planeOffset(int plane) {
        return frame.planeOffset(plane);
    }

    public int payloadSize() {
        return frame.payloadSize();
    }

    public boolean isKeyframe() {
        return frame.isKeyframe();
    }

    /**
     * The picture is the decoder's concealment of packet loss (in it or in a picture it refers to, until
     * the next keyframe): an analyzer that needs exact pictures skips it, e.g.
     * {@code if (frame.isDamaged()) return;}. Clean streams never set it.
     */
    public boolean isDamaged() {
        return frame.isDamaged();
    }

    /** Forgets the Mat headers: the reader is moving to another mapping or closing. */
    void invalidate() {
        mats.invalidate();
    }
}
