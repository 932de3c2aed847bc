package io.virta.producer.decode;

import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.virta.producer.decode.FfmpegStructs.NATIVE;

/**
 * One decoded picture: a view of the decoder's AVFrame (plane addresses and strides, size, pixel
 * format) plus the times of the access unit that carried it. One instance per decoder, refilled
 * for every picture and valid only during {@link DecodedFrameListener#onFrame}.
 *
 * <p>Planes live in FFmpeg's memory: {@link #planeAddress(int)} is a raw address, {@link #stride(int)}
 * the bytes from one row to the next. Read them with {@link #copyRow} or hand them to native code.
 */
public final class DecodedFrame {
    /** Planes a picture can have (Y, U, V, alpha). */
    public static final int MAX_PLANES = 4;

    private final MemorySegment struct;
    private final PointerPointer<?> planePointers;
    private final IntPointer stridePointers;
    private final long[] planes = new long[MAX_PLANES];
    private final int[] strides = new int[MAX_PLANES];
    private int width;
    private int height;
    private int avPixelFormat;
    private int avFrameFlags;
    private int decodeErrorFlags;
    private int pictureType;
    private int colorspace;
    private int colorRange;
    private long captureTimeMicros;
    private long arrivalTimeMicros;
    private long rtpTimestamp;
    private long unitSequence;
    private boolean timesKnown;
    private boolean discontinuity;
    private boolean unitDamaged;
    private long number;

    DecodedFrame(AVFrame avFrame) {
        this.struct = NATIVE.asSlice(avFrame.address(), org.bytedeco.javacpp.Loader.sizeof(AVFrame.class));
        // Both point into the AVFrame struct itself, which stays put for the decoder's life.
        this.planePointers = avFrame.data();
        this.stridePointers = avFrame.linesize();
    }

    /** Copies the picture's geometry out of the AVFrame that avcodec just filled. */
    void load(long number) {
        this.number = number;
        width = struct.get(ValueLayout.JAVA_INT, FfmpegStructs.FRAME_WIDTH);
        height = struct.get(ValueLayout.JAVA_INT, FfmpegStructs.FRAME_HEIGHT);
        avPixelFormat = struct.get(ValueLayout.JAVA_INT, FfmpegStructs.FRAME_FORMAT);
        avFrameFlags = struct.get(ValueLayout.JAVA_INT, FfmpegStructs.FRAME_FLAGS);
        decodeErrorFlags = struct.get(ValueLayout.JAVA_INT, FfmpegStructs.FRAME_DECODE_ERROR_FLAGS);
        pictureType = struct.get(ValueLayout.JAVA_INT, FfmpegStructs.FRAME_PICT_TYPE);
        colorspace = struct.get(ValueLayout.JAVA_INT, FfmpegStructs.FRAME_COLORSPACE);
        colorRange = struct.get(ValueLayout.JAVA_INT, FfmpegStructs.FRAME_COLOR_RANGE);
        for (int p = 0; p < MAX_PLANES; p++) {
            planes[p] = struct.get(ValueLayout.JAVA_LONG, FfmpegStructs.FRAME_DATA + 8L * p);
            strides[p] = struct.get(ValueLayout.JAVA_INT, FfmpegStructs.FRAME_LINESIZE + 4L * p);
        }
    }

    /** The presentation timestamp avcodec carried through from the packet: our unit counter. */
    long packetPts() {
        long pts = struct.get(ValueLayout.JAVA_LONG, FfmpegStructs.FRAME_PTS);
        return pts != avutil.AV_NOPTS_VALUE ? pts
                : struct.get(ValueLayout.JAVA_LONG, FfmpegStructs.FRAME_BEST_EFFORT_TIMESTAMP);
    }

    void times(boolean known, long captureMicros, long arrivalMicros, long rtp, long sequence) {
        this.timesKnown = known;
        this.captureTimeMicros = captureMicros;
        this.arrivalTimeMicros = arrivalMicros;
        this.rtpTimestamp = rtp;
        this.unitSequence = sequence;
    }

    void unitDamaged(boolean damaged) {
        this.unitDamaged = damaged;
    }

    void discontinuity(boolean discontinuity) {
        this.discontinuity = discontinuity;
    }

    /** For swscale: {@code &frame->data[0]}, without a Java object per call. */
    PointerPointer<?> planePointers() {
        return planePointers;
    }

    /** For swscale: {@code &frame->linesize[0]}. */
    IntPointer stridePointers() {
        return stridePointers;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** FFmpeg's pixel format ({@code AV_PIX_FMT_*}): YUV420P for most camera streams. */
    public int avPixelFormat() {
        return avPixelFormat;
    }

    /** True for 8-bit 4:2:0 planar pictures (YUV420P, or YUVJ420P: the same layout at full range). */
    public boolean isI420() {
        return avPixelFormat == avutil.AV_PIX_FMT_YUV420P || avPixelFormat == avutil.AV_PIX_FMT_YUVJ420P;
    }

    /**
     * The YUV matrix the stream tagged ({@code AVCOL_SPC_*}, from the H264/H265 VUI);
     * {@code AVCOL_SPC_UNSPECIFIED} when it said nothing.
     */
    public int colorspace() {
        return colorspace;
    }

    /**
     * The sample range the stream tagged ({@code AVCOL_RANGE_MPEG} limited, {@code AVCOL_RANGE_JPEG} full);
     * {@code AVCOL_RANGE_UNSPECIFIED} when it said nothing. A YUVJ pixel format is full range whatever this says.
     */
    public int colorRange() {
        return colorRange;
    }

    /** Address of the first byte of plane {@code plane}; 0 for a plane the format does not have. */
    public long planeAddress(int plane) {
        return planes[plane];
    }

    /** Bytes from one row of plane {@code plane} to the next (FFmpeg's linesize; may exceed the row). */
    public int stride(int plane) {
        return strides[plane];
    }

    /**
     * Copies {@code bytes} bytes of row {@code row} of plane {@code plane} into {@code target} at
     * {@code offset}. The caller keeps row and bytes within the plane.
     */
    public void copyRow(int plane, int row, MemorySegment target, long offset, int bytes) {
        MemorySegment.copy(NATIVE, planes[plane] + (long) row * strides[plane], target, offset, bytes);
    }

    /** An IDR (H264) or IRAP (H265) picture. */
    public boolean isKeyframe() {
        return (avFrameFlags & FfmpegStructs.AV_FRAME_FLAG_KEY) != 0;
    }

    /**
     * The decoder found errors in this picture and concealed them: it is shown, but may be damaged
     * until the next keyframe.
     */
    public boolean isCorrupt() {
        return (avFrameFlags & FfmpegStructs.AV_FRAME_FLAG_CORRUPT) != 0 || decodeErrorFlags != 0;
    }

    /**
     * The picture came from a unit flagged damaged (packets lost in transit, or lost from a picture it
     * refers to, until the next whole keyframe), or the decoder found errors in it ({@link #isCorrupt()}):
     * publishers flag its cell DAMAGED.
     */
    public boolean isDamaged() {
        return unitDamaged || isCorrupt();
    }

    /**
     * Units were lost or rejected since the previous picture (a gap in {@code AccessUnit.sequence},
     * or a unit the decoder refused): publishers mark the frame so readers know the stream jumped.
     */
    public boolean isDiscontinuity() {
        return discontinuity;
    }

    /** {@code AV_PICTURE_TYPE_*}: I, P or B. */
    public int pictureType() {
        return pictureType;
    }

    /** Capture time of the access unit that carried this picture, µs since the epoch; 0 if unknown. */
    public long captureTimeMicros() {
        return captureTimeMicros;
    }

    /** Arrival time of the access unit that carried this picture, µs since the epoch; 0 if unknown. */
    public long arrivalTimeMicros() {
        return arrivalTimeMicros;
    }

    public long rtpTimestamp() {
        return rtpTimestamp;
    }

    /** {@code AccessUnit.sequence} of the unit that carried this picture. */
    public long unitSequence() {
        return unitSequence;
    }

    /**
     * False when the decoder could not tell which unit carried this picture (its timestamp was lost
     * inside avcodec); the times are then 0, and publishers stamp the frame at commit.
     */
    public boolean timesKnown() {
        return timesKnown;
    }

    /** Counts the decoder's output pictures from 1. */
    public long number() {
        return number;
    }
}
