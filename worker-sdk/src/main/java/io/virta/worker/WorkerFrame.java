package io.virta.worker;

import io.virta.bus.ChannelReader;
import io.virta.bus.Frame;
import io.virta.bus.PixelFormat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The frame a worker analyzes: the bus frame's metadata, and its pixels as zero-copy views of the
 * shared memory ({@link #payload()}, {@link #payloadBuffer()}, {@link #plane(int)}). Module
 * {@code worker-opencv} adds an OpenCV Mat over the same memory ({@code FrameMats.mat(frame)}), kept in
 * this frame's {@link #views}. One instance per stream, refilled by each {@link FrameStream#next};
 * nothing is allocated per frame.
 *
 * <p>The views are valid until the next {@code next} call, and only while the writer has not reused the
 * frame's cell: after analyzing, {@link #isIntact()} says whether the result is trustworthy (a writer
 * laps a ring of 8 cells at 25 frames/s after about 300 ms). The views are for reading: the same memory
 * is every other reader's picture.
 */
public final class WorkerFrame {
    private final ChannelReader reader;
    private final Frame frame;
    /** Add-ons' views, in the order first asked for; rarely more than one kind, so a scan beats a map. */
    private CellViews[] views = new CellViews[0];

    WorkerFrame(ChannelReader reader) {
        this.reader = reader;
        this.frame = reader.frame();
    }

    /** The bus frame underneath, for what this class does not repeat. */
    public Frame busFrame() {
        return frame;
    }

    /**
     * The add-on views of {@code kind} kept with this stream, made by {@code make} on the first call and
     * the same object after, until the stream invalidates them; one scan of a short array per call, no
     * allocation when {@code make} captures nothing (a method reference to a static method).
     *
     * @throws IllegalArgumentException if {@code make} returns an object that is not exactly a {@code kind}
     */
    public <V extends CellViews> V views(Class<V> kind, Function<? super WorkerFrame, ? extends V> make) {
        for (CellViews kept : views) {
            if (kept.getClass() == kind) {
                return kind.cast(kept);
            }
        }
        V made = make.apply(this);
        if (made == null || made.getClass() != kind) {
            throw new IllegalArgumentException("views of " + kind.getName() + " were asked for, but the factory made "
                    + (made == null ? "null" : made.getClass().getName()) + ": make exactly that class");
        }
        views = Arrays.copyOf(views, views.length + 1);
        views[views.length - 1] = made;
        return made;
    }

    /** The bus channel this frame came from. */
    public String channel() {
        return reader.name();
    }

    /** The ring cell this frame lies in, 0 to {@link #cellCount()} - 1: the same memory for each cell's frames. */
    public int cell() {
        return (int) ((frame.sequence() - 1) % reader.cells());
    }

    /** The cells of the channel's ring. */
    public int cellCount() {
        return reader.cells();
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

    /** Tells the add-ons' views that the memory goes away: the reader is moving to another mapping or closing. */
    void invalidate() {
        for (CellViews kept : views) {
            kept.invalidate();
        }
    }
}
