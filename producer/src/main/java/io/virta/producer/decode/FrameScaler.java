package io.virta.producer.decode;

import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.ffmpeg.swscale.SwsFilter;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.virta.producer.decode.FfmpegStructs.NATIVE;

/**
 * swscale from a decoded picture straight into memory we name (a bus cell), converting the pixel
 * format and the size at once. Keeps one swscale context and makes a new one only when the source
 * or target geometry changes, such as when a camera switches resolution.
 *
 * <pre>
 *   scaler.target(0, cellAddress, width * 3);
 *   scaler.scale(frame, AV_PIX_FMT_RGB24, width, height);
 * </pre>
 */
final class FrameScaler implements AutoCloseable {
    private final int flags;
    private final PointerPointer<?> targetPlanes = new PointerPointer<>(DecodedFrame.MAX_PLANES);
    private final IntPointer targetStrides = new IntPointer(DecodedFrame.MAX_PLANES);
    private final MemorySegment targetPlanesStruct;
    private final MemorySegment targetStridesStruct;

    private SwsContext context;
    private boolean configured;
    private int sourceWidth;
    private int sourceHeight;
    private int sourceFormat;
    private int targetWidth;
    private int targetHeight;
    private int targetFormat;
    private long contextsCreated;
    private long scaleNanos;

    FrameScaler(ScalingAlgorithm algorithm) {
        this.flags = algorithm.swsFlags;
        this.targetPlanesStruct = NATIVE.asSlice(targetPlanes.address(), 8L * DecodedFrame.MAX_PLANES);
        this.targetStridesStruct = NATIVE.asSlice(targetStrides.address(), 4L * DecodedFrame.MAX_PLANES);
        for (int p = 0; p < DecodedFrame.MAX_PLANES; p++) {
            target(p, 0, 0);
        }
    }

    /** Sets where plane {@code plane} of the next {@link #scale} goes: its address and bytes per row. */
    void target(int plane, long address, int stride) {
        targetPlanesStruct.set(ValueLayout.JAVA_LONG, 8L * plane, address);
        targetStridesStruct.set(ValueLayout.JAVA_INT, 4L * plane, stride);
    }

    /**
     * Converts {@code source} to {@code format} ({@code AV_PIX_FMT_*}) at {@code width} x {@code height}
     * into the planes set with {@link #target}. Returns false when swscale cannot convert this source.
     */
    boolean scale(DecodedFrame source, int format, int width, int height) {
        if (!configured || source.width() != sourceWidth || source.height() != sourceHeight
                || source.avPixelFormat() != sourceFormat || width != targetWidth || height != targetHeight
                || format != targetFormat) {
            configure(source.width(), source.height(), source.avPixelFormat(), width, height, format);
        }
        if (context == null) {
            return false;
        }
        long start = System.nanoTime();
        int rows = swscale.sws_scale(context, source.planePointers(), source.stridePointers(), 0, sourceHeight,
                targetPlanes, targetStrides);
        scaleNanos += System.nanoTime() - start;
        return rows > 0;
    }

    private void configure(int srcWidth, int srcHeight, int srcFormat, int dstWidth, int dstHeight, int dstFormat) {
        freeContext();
        configured = true;
        sourceWidth = srcWidth;
        sourceHeight = srcHeight;
        sourceFormat = srcFormat;
        targetWidth = dstWidth;
        targetHeight = dstHeight;
        targetFormat = dstFormat;
        if (srcWidth <= 0 || srcHeight <= 0 || dstWidth <= 0 || dstHeight <= 0) {
            // Remembered as unsupported, so that a run of such pictures does not retry per frame.
            return;
        }
        context = swscale.sws_getContext(srcWidth, srcHeight, srcFormat, dstWidth, dstHeight, dstFormat, flags,
                (SwsFilter) null, (SwsFilter) null, (DoublePointer) null);
        if (context != null) {
            contextsCreated++;
        }
    }

    /** swscale contexts made so far: 1 for a stream that never changes its resolution. */
    long contextsCreated() {
        return contextsCreated;
    }

    /** Wall time spent in sws_scale, in ns. */
    long scaleNanos() {
        return scaleNanos;
    }

    private void freeContext() {
        if (context != null) {
            swscale.sws_freeContext(context);
            context = null;
        }
    }

    @Override
    public void close() {
        freeContext();
        targetPlanes.close();
        targetStrides.close();
    }
}
