package io.virta.demo.camera;

import io.virta.rtsp.media.NativeMemory;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.H264NalType;
import io.virta.rtsp.media.VideoCodec;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVBufferRef;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.Free_Pointer_BytePointer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PROFILE_H264_CONSTRAINED_BASELINE;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_PRI_SMPTE170M;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_SMPTE170M;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_TRC_SMPTE170M;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_I;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_NONE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_buffer_create;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

/**
 * Encodes I420 pictures into an H264 stream shaped like an IP camera's: constrained-baseline
 * profile, a target bitrate (openh264's bitrate mode), one IDR picture per second (GOP = fps: frame indexes
 * divisible by fps, or the first after one the source skipped), no B-frames, one slice per picture,
 * and every IDR preceded by its SPS and PPS. It uses FFmpeg's {@code libopenh264} encoder
 * (the one in JavaCV's LGPL build) through the C API.
 *
 * <p>Each coded picture goes to an {@link AccessUnitListener} as an {@link AccessUnit} in Annex-B
 * form with 4-byte start codes, RTP timestamp {@code frameIndex * 90000 / fps}, the capture time the
 * caller gives (the demo camera gives the time burned into the picture), and sequence numbers from 1.
 * The unit is one reusable object: after the first frames, encoding allocates nothing on the Java heap.
 *
 * <p>The encoder reads the caller's frame in place: FFmpeg's frame points at the caller's memory, so
 * there is no copy in. The memory must stay valid and unchanged until {@link #encode} returns.
 *
 * <p>The bitrate is a target, not a floor: the demo scene is simple and usually needs less. Nor is
 * it a hard ceiling at very low rates, where openh264 would have to skip pictures to keep it, and
 * this encoder never lets it skip (each picture in must come out). openh264 logs two warnings
 * through FFmpeg's log when an encoder opens (about the profile number and frame skipping); both
 * are expected.
 *
 * <p>Not thread-safe: one thread encodes. {@link #sequenceParameterSet()} and
 * {@link #pictureParameterSet()} may be read from any thread.
 */
public final class DemoEncoder implements AutoCloseable {
    /** Bitrate for 1280x720: about what an IP camera sends for 720p at 25 fps. */
    public static final int BITRATE_720P = 2_000_000;

    /** FFmpeg's AVERROR(EAGAIN) on Linux: "no packet yet, send more". */
    private static final int AVERROR_EAGAIN = -11;
    /** All of the address space, so a native address can be read without making a segment per read. */
    private static final MemorySegment NATIVE_MEMORY = NativeMemory.ALL;
    private static final long PACKET_DATA_OFFSET = packetDataOffset();
    /** Frees nothing: the frames' memory belongs to the caller; FFmpeg only borrows it. */
    private static final Free_Pointer_BytePointer CALLER_OWNS_MEMORY = new Free_Pointer_BytePointer() {
        @Override
        public void call(Pointer opaque, BytePointer data) {
        }
    };

    private final int width;
    private final int height;
    private final int fps;
    private final int bitrate;
    private final long frameBytes;

    private AVCodecContext context;
    private AVFrame frame;
    private AVPacket packet;
    private final AccessUnit unit;
    private final MemorySegment unitMemory;
    private long boundAddress;
    private long nextSequence = 1;
    /** Whether the picture being copied carried an SPS and a PPS of its own. */
    private boolean copiedSps;
    private boolean copiedPps;
    private long lastFrameIndex = -1;
    private volatile byte[] sequenceParameterSet;
    private volatile byte[] pictureParameterSet;

    /**
     * Opens an encoder for pictures of {@code width x height} (even) at {@code fps} frames per second
     * and a target {@code bitrate} in bits per second.
     *
     * @throws IllegalArgumentException for sizes, rates or bitrates the encoder cannot take
     * @throws IllegalStateException    when FFmpeg has no {@code libopenh264} encoder or cannot open it
     */
    public DemoEncoder(int width, int height, int fps, int bitrate) {
        if (width <= 0 || height <= 0 || (width & 1) != 0 || (height & 1) != 0) {
            throw new IllegalArgumentException("encoder size " + width + "x" + height + ": width and height must be even and positive");
        }
        if (fps <= 0 || fps > 240) {
            throw new IllegalArgumentException("encoder fps " + fps + ": must be 1..240");
        }
        if (bitrate < 10_000) {
            throw new IllegalArgumentException("encoder bitrate " + bitrate + " bit/s: must be at least 10000");
        }
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.bitrate = bitrate;
        this.frameBytes = DemoPattern.frameBytes(width, height);
        // An IDR at worst about the raw picture, plus a start code per NAL and the parameter sets.
        this.unit = AccessUnit.allocate((int) frameBytes + 64 * 1024).codec(VideoCodec.H264);
        this.unitMemory = MemorySegment.ofBuffer(unit.data());
        try {
            open();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** 2 Mbit/s for 720p, scaled by the number of pixels (at least 100 kbit/s). */
    public static int defaultBitrate(int width, int height) {
        return (int) Math.max(100_000, (long) BITRATE_720P * width * height / (1280 * 720));
    }

    private void open() {
        AVCodec codec = avcodec_find_encoder_by_name("libopenh264");
        if (codec == null || codec.isNull()) {
            throw new IllegalStateException("FFmpeg has no libopenh264 encoder (is the LGPL JavaCV FFmpeg build on the class path?)");
        }
        context = avcodec_alloc_context3(codec);
        if (context == null || context.isNull()) {
            throw new IllegalStateException("avcodec_alloc_context3 failed for libopenh264");
        }
        context.width(width).height(height).pix_fmt(AV_PIX_FMT_YUV420P);
        context.time_base(av_make_q(1, fps)).framerate(av_make_q(fps, 1));
        // No periodic intra refresh of openh264's own: encode() asks for each IDR (see there).
        context.bit_rate(bitrate).gop_size(0).max_b_frames(0);
        // One slice and one thread: openh264 otherwise picks a slice count from the CPU count.
        context.slices(1).thread_count(1);
        // libopenh264 logs that it "doesn't support profile(578)" and falls back to its own choice,
        // which for CAVLC without B-frames is constrained baseline anyway (the tests check the SPS).
        context.profile(AV_PROFILE_H264_CONSTRAINED_BASELINE);
        // Say in the SPS (VUI) that this is BT.601 limited range, so every decoder shows the bars' colours.
        context.color_range(AVCOL_RANGE_MPEG).colorspace(AVCOL_SPC_SMPTE170M)
                .color_primaries(AVCOL_PRI_SMPTE170M).color_trc(AVCOL_TRC_SMPTE170M);
        // No AV_CODEC_FLAG_GLOBAL_HEADER: with it, libopenh264 strips SPS/PPS from its IDR packets.

        AVDictionary options = new AVDictionary(null);
        av_dict_set(options, "rc_mode", "bitrate", 0);
        av_dict_set(options, "allow_skip_frames", "0", 0);
        try {
            check(avcodec_open2(context, codec, options), "avcodec_open2(libopenh264)");
        } finally {
            av_dict_free(options);
        }
        frame = av_frame_alloc();
        packet = av_packet_alloc();
        if (frame == null || frame.isNull() || packet == null || packet.isNull()) {
            throw new IllegalStateException("FFmpeg could not allocate a frame or packet");
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int fps() {
        return fps;
    }

    public int bitrate() {
        return bitrate;
    }

    /**
     * Encodes picture {@code frameIndex} (counted from 0 at this stream's start, strictly
     * increasing; a gap is a picture the source skipped) from {@code i420}, a native segment of at
     * least {@code width * height * 3 / 2} bytes (Y, U, V planes, no padding), and hands each coded
     * picture to {@code listener} before returning.
     *
     * @param captureTimeMicros when the picture was taken, µs since the Unix epoch
     * @throws IllegalArgumentException for a heap or too small segment, or a frame index that does not grow
     * @throws IllegalStateException    when FFmpeg fails to encode (not expected once open)
     */
    public void encode(long frameIndex, MemorySegment i420, long captureTimeMicros, AccessUnitListener listener) {
        if (context == null) {
            throw new IllegalStateException("the encoder is closed");
        }
        if (frameIndex <= lastFrameIndex) {
            throw new IllegalArgumentException("frame index " + frameIndex + " does not follow " + lastFrameIndex);
        }
        bind(i420);
        // An IDR opens every second of stream time: index % fps == 0, or the first picture after
        // that slot when the source skipped it. Counting encoded pictures instead would let the
        // keyframes drift away from the seconds whenever the source skips.
        boolean keyframeDue = lastFrameIndex < 0 || frameIndex / fps != lastFrameIndex / fps;
        lastFrameIndex = frameIndex;
        frame.pts(frameIndex);
        frame.pict_type(keyframeDue ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE);
        check(avcodec_send_frame(context, frame), "avcodec_send_frame");
        while (true) {
            int result = avcodec_receive_packet(context, packet);
            if (result == AVERROR_EAGAIN) {
                return;
            }
            check(result, "avcodec_receive_packet");
            try {
                emit(packet.pts(), captureTimeMicros, listener);
            } finally {
                av_packet_unref(packet);
            }
        }
    }

    /**
     * Points FFmpeg's frame at the caller's memory. The frame holds a reference-counted buffer over
     * it: without one, FFmpeg would copy every picture into a buffer of its own before encoding.
     * This runs again only when the caller hands a different buffer.
     */
    private void bind(MemorySegment i420) {
        if (!i420.isNative()) {
            throw new IllegalArgumentException("the encoder reads frames in place: it needs a native segment, not a heap one");
        }
        if (i420.byteSize() < frameBytes) {
            throw new IllegalArgumentException("an I420 frame of " + width + "x" + height + " needs " + frameBytes
                    + " bytes, the segment has " + i420.byteSize());
        }
        if (i420.address() == boundAddress) {
            return;
        }
        av_frame_unref(frame);
        long lumaBytes = (long) width * height;
        long chromaBytes = lumaBytes / 4;
        BytePointer y = new BytePointer(i420.asSlice(0, frameBytes).asByteBuffer());
        BytePointer u = new BytePointer(i420.asSlice(lumaBytes, chromaBytes).asByteBuffer());
        BytePointer v = new BytePointer(i420.asSlice(lumaBytes + chromaBytes, chromaBytes).asByteBuffer());
        AVBufferRef buffer = av_buffer_create(y, frameBytes, CALLER_OWNS_MEMORY, null, 0);
        if (buffer == null || buffer.isNull()) {
            throw new IllegalStateException("av_buffer_create failed");
        }
        frame.format(AV_PIX_FMT_YUV420P).width(width).height(height);
        frame.data(0, y).data(1, u).data(2, v);
        frame.linesize(0, width).linesize(1, width / 2).linesize(2, width / 2);
        frame.buf(0, buffer);
        boundAddress = i420.address();
    }

    private void emit(long frameIndex, long captureTimeMicros, AccessUnitListener listener) {
        long source = NATIVE_MEMORY.get(ValueLayout.JAVA_LONG, packet.address() + PACKET_DATA_OFFSET);
        int size = packet.size();
        boolean keyframe = (packet.flags() & AV_PKT_FLAG_KEY) != 0;
        int length = copyNalUnits(source, size, keyframe);
        if (keyframe && !(copiedSps && copiedPps)) {
            length = prependParameterSets(length);
        }
        unit.data().clear().limit(length);
        unit.keyframe(keyframe)
                .rtpTimestamp(frameIndex * VideoCodec.H264.clockRate / fps)
                .captureTimeMicros(captureTimeMicros)
                .arrivalTimeMicros(EpochClock.nowMicros())
                .sequence(nextSequence++);
        listener.onAccessUnit(unit);
    }

    /**
     * Copies the packet's NAL units into the unit, each behind a 4-byte start code whatever the
     * encoder used, and keeps the latest SPS and PPS. Returns the bytes written.
     */
    private int copyNalUnits(long source, int size, boolean keyframe) {
        copiedSps = false;
        copiedPps = false;
        int written = 0;
        int start = findStartCode(source, 0, size);
        while (start >= 0) {
            int nalStart = start + 3;
            int next = findStartCode(source, nalStart, size);
            int nalEnd = next < 0 ? size : next;
            // Zeros before the next start code are its leading zero or trailing_zero_8bits, not NAL bytes.
            while (nalEnd > nalStart && NATIVE_MEMORY.get(ValueLayout.JAVA_BYTE, source + nalEnd - 1) == 0) {
                nalEnd--;
            }
            int nalLength = nalEnd - nalStart;
            if (nalLength > 0) {
                if (written + 4 + nalLength > unitMemory.byteSize()) {
                    throw new IllegalStateException("a coded picture of " + size + " bytes does not fit the "
                            + unitMemory.byteSize() + "-byte access unit");
                }
                unitMemory.set(ValueLayout.JAVA_INT_UNALIGNED, written, 0);
                unitMemory.set(ValueLayout.JAVA_BYTE, written + 3, (byte) 1);
                MemorySegment.copy(NATIVE_MEMORY, source + nalStart, unitMemory, written + 4, nalLength);
                if (keyframe) {
                    remember(written + 4, nalLength);
                }
                written += 4 + nalLength;
            }
            start = next;
        }
        return written;
    }

    /** Offset of the next {@code 00 00 01} in the packet at or after {@code from}, or -1. */
    private static int findStartCode(long source, int from, int size) {
        for (int i = from; i + 2 < size; i++) {
            if (NATIVE_MEMORY.get(ValueLayout.JAVA_BYTE, source + i + 2) == 1
                    && NATIVE_MEMORY.get(ValueLayout.JAVA_BYTE, source + i + 1) == 0
                    && NATIVE_MEMORY.get(ValueLayout.JAVA_BYTE, source + i) == 0) {
                return i;
            }
        }
        return -1;
    }

    private void remember(int offset, int length) {
        H264NalType type = H264NalType.ofHeader(unitMemory.get(ValueLayout.JAVA_BYTE, offset));
        copiedSps |= type == H264NalType.SPS;
        copiedPps |= type == H264NalType.PPS;
        if (type == H264NalType.SPS && !sameBytes(sequenceParameterSet, offset, length)) {
            sequenceParameterSet = copyOut(offset, length);
        } else if (type == H264NalType.PPS && !sameBytes(pictureParameterSet, offset, length)) {
            pictureParameterSet = copyOut(offset, length);
        }
    }

    private boolean sameBytes(byte[] known, int offset, int length) {
        if (known == null || known.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (known[i] != unitMemory.get(ValueLayout.JAVA_BYTE, offset + i)) {
                return false;
            }
        }
        return true;
    }

    private byte[] copyOut(int offset, int length) {
        return unitMemory.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Puts the known SPS and PPS in front of an IDR that came without them. libopenh264 sends
     * them with every IDR, so this is a safety net for other builds.
     */
    private int prependParameterSets(int length) {
        byte[] sps = sequenceParameterSet;
        byte[] pps = pictureParameterSet;
        if (sps == null || pps == null) {
            return length;
        }
        int extra = 8 + sps.length + pps.length;
        if (length + extra > unitMemory.byteSize()) {
            throw new IllegalStateException("a keyframe with its parameter sets does not fit the access unit");
        }
        MemorySegment.copy(unitMemory, 0, unitMemory, extra, length);
        int at = putNal(0, sps);
        putNal(at, pps);
        return length + extra;
    }

    private int putNal(int at, byte[] nal) {
        unitMemory.set(ValueLayout.JAVA_INT_UNALIGNED, at, 0);
        unitMemory.set(ValueLayout.JAVA_BYTE, at + 3, (byte) 1);
        MemorySegment.copy(nal, 0, unitMemory, ValueLayout.JAVA_BYTE, at + 4, nal.length);
        return at + 4 + nal.length;
    }

    /** The stream's SPS NAL unit without a start code, or null before the first keyframe; a copy. */
    public byte[] sequenceParameterSet() {
        byte[] sps = sequenceParameterSet;
        return sps == null ? null : Arrays.copyOf(sps, sps.length);
    }

    /** The stream's PPS NAL unit without a start code, or null before the first keyframe; a copy. */
    public byte[] pictureParameterSet() {
        byte[] pps = pictureParameterSet;
        return pps == null ? null : Arrays.copyOf(pps, pps.length);
    }

    @Override
    public void close() {
        if (frame != null) {
            av_frame_free(frame); // drops our reference to the buffer over the caller's memory
            frame = null;
        }
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (context != null) {
            avcodec_free_context(context);
            context = null;
        }
    }

    /** JavaCPP learns struct layouts when it loads the library, so load it before asking. */
    private static long packetDataOffset() {
        Loader.load(org.bytedeco.ffmpeg.global.avcodec.class);
        return Loader.offsetof(AVPacket.class, "data");
    }

    private static void check(int result, String call) {
        if (result < 0) {
            byte[] message = new byte[256];
            av_strerror(result, message, message.length);
            int end = 0;
            while (end < message.length && message[end] != 0) {
                end++;
            }
            throw new IllegalStateException(call + " failed: " + new String(message, 0, end) + " (" + result + ")");
        }
    }
}
