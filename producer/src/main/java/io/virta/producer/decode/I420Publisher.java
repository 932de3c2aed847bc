package io.virta.producer.decode;

import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.bus.PixelFormat;
import io.virta.bus.WritableFrame;
import org.bytedeco.ffmpeg.global.avutil;

import java.lang.foreign.MemorySegment;

import static io.virta.producer.decode.FfmpegStructs.NATIVE;

/**
 * Publishes decoded pictures into a YUV420P bus channel: the Y, U and V planes, tightly packed one
 * after the other (docs/bus-format.md 3.1), at the picture's own size.
 *
 * <p>One copy per picture, from avcodec's buffers into the cell: avcodec owns its pictures (they
 * are its reference frames), so the cell cannot be its output. Pictures in another layout (4:2:2,
 * 10 bit) are converted by swscale straight into the cell instead. A picture larger than the
 * cell's capacity is skipped and counted, and the next published one is marked DISCONTINUITY.
 *
 * <p>Each frame carries its colour matrix and range (docs/bus-format.md 3.3, 3.4): the stream's
 * tags for a copied picture, what swscale produced for a converted one ({@link ColorTags}).
 */
public final class I420Publisher implements DecodedFrameListener, AutoCloseable {
    private final ChannelWriter writer;
    private FrameScaler converter;
    private int streamId;
    private boolean pendingDiscontinuity;
    private long published;
    private long tooLarge;
    private long unconvertible;

    /** @throws IllegalArgumentException if {@code writer}'s channel is not a YUV420P channel of I420 frames */
    public I420Publisher(ChannelWriter writer) {
        if (writer.spec().type() != ChannelType.YUV420P || writer.spec().format() != PixelFormat.I420) {
            throw new IllegalArgumentException("channel '" + writer.name() + "' carries " + writer.spec().type() + "/"
                    + writer.spec().format() + ": the I420 publisher needs a YUV420P channel of I420 frames");
        }
        this.writer = writer;
    }

    /** The producer's stream (camera) number, written into each frame's metadata. */
    public I420Publisher streamId(int streamId) {
        this.streamId = streamId;
        return this;
    }

    @Override
    public void onFrame(DecodedFrame frame) {
        int width = frame.width();
        int height = frame.height();
        int chromaWidth = (width + 1) / 2;
        int chromaHeight = (height + 1) / 2;
        long lumaBytes = (long) width * height;
        long chromaBytes = (long) chromaWidth * chromaHeight;
        long total = lumaBytes + 2 * chromaBytes;
        if (width <= 0 || height <= 0 || total > writer.capacity()) {
            tooLarge++;
            pendingDiscontinuity = true;
            return;
        }
        WritableFrame cell = writer.claim();
        MemorySegment payload = cell.payload();
        boolean written;
        ColorMatrix matrix;
        ColorRange range;
        if (frame.isI420() && frame.stride(0) >= width && frame.stride(1) >= chromaWidth
                && frame.stride(2) >= chromaWidth) {
            copyPlane(frame, 0, payload, 0, width, height);
            copyPlane(frame, 1, payload, lumaBytes, chromaWidth, chromaHeight);
            copyPlane(frame, 2, payload, lumaBytes + chromaBytes, chromaWidth, chromaHeight);
            written = true;
            matrix = ColorTags.matrix(frame);
            range = ColorTags.range(frame);
        } else {
            written = convert(frame, payload.address(), lumaBytes, chromaBytes, width, chromaWidth);
            // Not the source's tags but what swscale made of the picture.
            matrix = ColorTags.convertedMatrix(frame);
            range = ColorTags.convertedRange(frame);
        }
        if (!written) {
            // The cell stays claimed; the next picture reuses it.
            unconvertible++;
            pendingDiscontinuity = true;
            return;
        }
        cell.payloadSize(total)
                .size(width, height)
                .stride(0, width)
                .stride(1, chromaWidth)
                .stride(2, chromaWidth)
                .planeOffset(1, (int) lumaBytes)
                .planeOffset(2, (int) (lumaBytes + chromaBytes))
                .keyframe(frame.isKeyframe())
                .damaged(frame.isDamaged())
                .discontinuity(pendingDiscontinuity || frame.isDiscontinuity())
                .streamId(streamId)
                .color(matrix, range)
                .captureTimeMicros(frame.captureTimeMicros())
                .arrivalTimeMicros(frame.arrivalTimeMicros());
        writer.commit();
        pendingDiscontinuity = false;
        published++;
    }

    private static void copyPlane(DecodedFrame frame, int plane, MemorySegment target, long offset, int rowBytes,
            int rows) {
        int stride = frame.stride(plane);
        if (stride == rowBytes) {
            MemorySegment.copy(NATIVE, frame.planeAddress(plane), target, offset, (long) rowBytes * rows);
            return;
        }
        for (int row = 0; row < rows; row++) {
            frame.copyRow(plane, row, target, offset + (long) row * rowBytes, rowBytes);
        }
    }

    private boolean convert(DecodedFrame frame, long cell, long lumaBytes, long chromaBytes, int width,
            int chromaWidth) {
        if (converter == null) {
            converter = new FrameScaler(ScalingAlgorithm.BICUBIC);
        }
        converter.target(0, cell, width);
        converter.target(1, cell + lumaBytes, chromaWidth);
        converter.target(2, cell + lumaBytes + chromaBytes, chromaWidth);
        return converter.scale(frame, avutil.AV_PIX_FMT_YUV420P, width, frame.height());
    }

    /** Frames committed to the channel. */
    public long published() {
        return published;
    }

    /** Pictures skipped because they do not fit a cell. */
    public long tooLarge() {
        return tooLarge;
    }

    /** Pictures skipped because swscale could not convert their pixel format to I420. */
    public long unconvertible() {
        return unconvertible;
    }

    /** Frees the converter, if a picture ever needed one; the writer stays open (its owner closes it). */
    @Override
    public void close() {
        if (converter != null) {
            converter.close();
            converter = null;
        }
    }
}
