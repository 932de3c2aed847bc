package io.virta.worker.opencv;

import io.virta.bus.Frame;
import io.virta.bus.PixelFormat;
import io.virta.worker.CellViews;
import org.bytedeco.opencv.opencv_core.Mat;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

/**
 * OpenCV Mat headers over a channel's ring cells: one per cell, made the first time that cell is seen
 * and reused for every later frame in it, so {@link #mat} neither copies pixels nor allocates per frame.
 * A header is remade only when a frame's geometry differs from the one it was made for.
 *
 * <p>The Mats point into shared memory that the reader maps: {@link #invalidate()} must run whenever
 * the reader moves to another mapping (a new writer) and before it closes. They are views for reading;
 * writing into one would change the picture every other reader of the channel sees. A stream's
 * {@link FrameMats} keep theirs as the frame's {@link CellViews}, which the stream invalidates.
 */
public final class CellMats implements CellViews, AutoCloseable {
    /** One cell's header and what it was made for. */
    private static final class Cell {
        Mat mat;
        Mat luma;
        SharedMemoryPointer pointer;
        long address;
        int width;
        int height;
        int stride;
        PixelFormat format;

        boolean fits(long address, int width, int height, int stride, PixelFormat format) {
            return this.address == address && this.width == width && this.height == height && this.stride == stride
                    && this.format == format;
        }

        void release() {
            if (mat != null) {
                mat.close();
            }
            if (luma != null) {
                luma.close();
            }
            mat = null;
            luma = null;
            pointer = null;
            address = 0;
        }
    }

    private final String channel;
    private Cell[] cells = new Cell[0];
    private long[] addresses = new long[0];

    public CellMats(String channel) {
        this.channel = channel;
    }

    /**
     * The Mat over {@code frame}'s payload, which lies in ring cell {@code cell}: rows x cols x 3 bytes
     * for RGB24/BGR24 (in the frame's channel order: RGB24 is R,G,B, not OpenCV's usual BGR), rows x cols
     * for GRAY8, and (rows * 3 / 2) x cols single-channel for tightly packed I420/NV12 (the layout
     * {@code cvtColor(..., COLOR_YUV2BGR_I420)} expects).
     *
     * @throws UnsupportedOperationException for encoded frames and planar frames with padded rows
     */
    public Mat mat(Frame frame, int cell, int cellCount) {
        return header(frame, cell, cellCount).mat;
    }

    /**
     * The luma (Y) plane as a rows x cols single-channel Mat, for I420, NV12 and GRAY8 frames: what a
     * grey-level analysis needs, without a colour conversion.
     */
    public Mat luma(Frame frame, int cell, int cellCount) {
        Cell c = header(frame, cell, cellCount);
        if (c.luma == null) {
            throw new UnsupportedOperationException("channel '" + channel + "': frames are " + frame.format()
                    + ", which has no luma plane; use mat() and cvtColor to grey");
        }
        return c.luma;
    }

    private Cell header(Frame frame, int cell, int cellCount) {
        if (cells.length != cellCount) {
            invalidate();
            cells = new Cell[cellCount];
            addresses = new long[cellCount];
            for (int i = 0; i < cellCount; i++) {
                cells[i] = new Cell();
            }
        }
        if (addresses[cell] == 0) {
            // Once per cell and mapping: payload() makes a view object, the address never changes after.
            addresses[cell] = frame.payload().address();
        }
        long address = addresses[cell];
        int width = frame.width();
        int height = frame.height();
        int stride = frame.stride(0);
        PixelFormat format = frame.format();
        Cell c = cells[cell];
        if (!c.fits(address, width, height, stride, format)) {
            c.release();
            build(c, frame, address, width, height, stride, format);
        }
        return c;
    }

    private void build(Cell c, Frame frame, long address, int width, int height, int stride, PixelFormat format) {
        if (format == null) {
            throw new UnsupportedOperationException("channel '" + channel + "': frames carry a pixel format this"
                    + " release does not know; mat() cannot describe them");
        }
        long bytes = frame.payloadSize();
        switch (format) {
            case RGB24, BGR24 -> {
                int step = stride == 0 ? width * 3 : stride;
                requireBytes(bytes, (long) step * height, format);
                c.pointer = new SharedMemoryPointer(address, bytes);
                c.mat = new Mat(height, width, CV_8UC3, c.pointer, step);
            }
            case GRAY8 -> {
                int step = stride == 0 ? width : stride;
                requireBytes(bytes, (long) step * height, format);
                c.pointer = new SharedMemoryPointer(address, bytes);
                c.mat = new Mat(height, width, CV_8UC1, c.pointer, step);
                c.luma = new Mat(height, width, CV_8UC1, c.pointer, step);
            }
            case I420, NV12 -> {
                long luma = (long) width * height;
                boolean packed = (stride == 0 || stride == width) && frame.planeOffset(1) == luma
                        && (format == PixelFormat.NV12 || frame.planeOffset(2) == luma + luma / 4);
                if (!packed) {
                    throw new UnsupportedOperationException("channel '" + channel + "': " + format + " frame "
                            + width + "x" + height + " has padded rows or planes apart (stride " + stride
                            + "); mat() needs tightly packed planes: read the planes with frame.plane(i)");
                }
                requireBytes(bytes, luma * 3 / 2, format);
                c.pointer = new SharedMemoryPointer(address, bytes);
                c.mat = new Mat(height * 3 / 2, width, CV_8UC1, c.pointer, width);
                c.luma = new Mat(height, width, CV_8UC1, c.pointer, width);
            }
            default -> throw new UnsupportedOperationException("channel '" + channel + "' carries " + format
                    + " (encoded) frames, which are no picture: attach to the camera's RGB24 or YUV420P channel"
                    + " to get a Mat");
        }
        c.address = address;
        c.width = width;
        c.height = height;
        c.stride = stride;
        c.format = format;
    }

    private void requireBytes(long have, long need, PixelFormat format) {
        if (have < need) {
            throw new UnsupportedOperationException("channel '" + channel + "': a " + format + " frame needs " + need
                    + " bytes but its payload has " + have + "; its writer sets a wrong size or stride");
        }
    }

    /** Forgets every header: the reader moved to another mapping, or is about to close. */
    @Override
    public void invalidate() {
        for (Cell c : cells) {
            c.release();
        }
        java.util.Arrays.fill(addresses, 0);
    }

    @Override
    public void close() {
        invalidate();
        cells = new Cell[0];
        addresses = new long[0];
    }
}
