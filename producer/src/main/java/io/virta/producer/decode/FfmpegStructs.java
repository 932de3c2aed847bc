package io.virta.producer.decode;

import io.virta.rtsp.media.NativeMemory;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.Loader;

import java.lang.foreign.MemorySegment;

/**
 * Field offsets of the FFmpeg structs the decode stage reads and writes per frame, and one segment
 * spanning all native memory to reach them.
 *
 * <p>Why not JavaCPP's getters: a getter that returns a pointer ({@code frame.data(0)}) creates a
 * Java object on every call, and the hot path must allocate nothing. Reading the struct in place
 * through the FFM API costs nothing. The offsets come from JavaCPP's tables for the FFmpeg build
 * that is actually loaded, never from constants typed in here.
 */
public final class FfmpegStructs {
    /** All of the address space: offsets into it are absolute addresses, and bounds checks are ours to make. */
    static final MemorySegment NATIVE = NativeMemory.ALL;

    // AVERROR(EAGAIN) with Linux's EAGAIN (11); JavaCPP maps no constant for it.
    static final int AVERROR_EAGAIN = -11;
    // The AV_FRAME_FLAG_* macros of libavutil/frame.h, which JavaCPP does not map.
    static final int AV_FRAME_FLAG_CORRUPT = 1;
    static final int AV_FRAME_FLAG_KEY = 1 << 1;

    static final long FRAME_DATA;
    static final long FRAME_LINESIZE;
    static final long FRAME_WIDTH;
    static final long FRAME_HEIGHT;
    static final long FRAME_FORMAT;
    static final long FRAME_PICT_TYPE;
    static final long FRAME_PTS;
    static final long FRAME_BEST_EFFORT_TIMESTAMP;
    static final long FRAME_FLAGS;
    static final long FRAME_DECODE_ERROR_FLAGS;
    static final long FRAME_COLORSPACE;
    static final long FRAME_COLOR_RANGE;

    static final long PACKET_BUF;
    static final long PACKET_PTS;
    static final long PACKET_DTS;
    static final long PACKET_DATA;
    static final long PACKET_SIZE;
    static final long PACKET_FLAGS;

    static {
        // Offsets are registered when a library's JNI part loads.
        Loader.load(avutil.class);
        Loader.load(avcodec.class);
        Loader.load(AVFrame.class);
        Loader.load(AVPacket.class);
        FRAME_DATA = Loader.offsetof(AVFrame.class, "data");
        FRAME_LINESIZE = Loader.offsetof(AVFrame.class, "linesize");
        FRAME_WIDTH = Loader.offsetof(AVFrame.class, "width");
        FRAME_HEIGHT = Loader.offsetof(AVFrame.class, "height");
        FRAME_FORMAT = Loader.offsetof(AVFrame.class, "format");
        FRAME_PICT_TYPE = Loader.offsetof(AVFrame.class, "pict_type");
        FRAME_PTS = Loader.offsetof(AVFrame.class, "pts");
        FRAME_BEST_EFFORT_TIMESTAMP = Loader.offsetof(AVFrame.class, "best_effort_timestamp");
        FRAME_FLAGS = Loader.offsetof(AVFrame.class, "flags");
        FRAME_DECODE_ERROR_FLAGS = Loader.offsetof(AVFrame.class, "decode_error_flags");
        FRAME_COLORSPACE = Loader.offsetof(AVFrame.class, "colorspace");
        FRAME_COLOR_RANGE = Loader.offsetof(AVFrame.class, "color_range");
        PACKET_BUF = Loader.offsetof(AVPacket.class, "buf");
        PACKET_PTS = Loader.offsetof(AVPacket.class, "pts");
        PACKET_DTS = Loader.offsetof(AVPacket.class, "dts");
        PACKET_DATA = Loader.offsetof(AVPacket.class, "data");
        PACKET_SIZE = Loader.offsetof(AVPacket.class, "size");
        PACKET_FLAGS = Loader.offsetof(AVPacket.class, "flags");
    }

    private FfmpegStructs() {
    }

    /** The FFmpeg release JavaCV loaded, such as "8.0.1". */
    public static String version() {
        return avutil.av_version_info().getString();
    }
}
