package io.virta.producer.decode;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVBufferRef;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.Free_Pointer_BytePointer;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

import static io.virta.producer.decode.FfmpegStructs.NATIVE;

/**
 * Decodes one H264 or H265 stream with FFmpeg's avcodec, once, and hands every picture to a
 * {@link DecodedFrameListener} in presentation order, with the capture and arrival times of the
 * access unit that carried it.
 *
 * <pre>
 *   try (VideoDecoder decoder = new VideoDecoder(VideoCodec.H264, 1, DecodedFrameListener.all(yuv, rgb))) {
 *       depacketizer.listener(decoder::decode);   // one call per access unit
 *       ...
 *       decoder.flush();                          // end of stream: the pictures avcodec still holds
 *   }
 * </pre>
 *
 * <p><b>No copy of the coded data.</b> With one thread, the unit's own buffer goes to avcodec as a
 * reference-counted packet over its memory, so avcodec reads it in place. That needs
 * {@value #PADDING} bytes of slack in the unit's buffer after its limit, because FFmpeg's bitstream
 * readers look ahead: {@code decode} overwrites bytes {@code [limit, limit + PADDING)} with zeros, so
 * emitters allocate their units {@value #PADDING} bytes larger than the largest unit. Units without
 * that slack (or in read-only buffers), and every unit when decoding on several threads (frame
 * threads keep a packet after {@code decode} returns, beyond the unit's life), go to avcodec as
 * plain packets, which avcodec copies once: {@link #copiedUnits()} counts them. (A plain packet
 * would be copied even on one thread: avcodec takes its own reference to every packet.)
 *
 * <p><b>Hostile input.</b> A unit avcodec rejects is counted ({@link #errors(DecodeError)}) and
 * skipped; a picture decoded from damaged data is delivered flagged {@link DecodedFrame#isCorrupt()}
 * (avcodec conceals the damage until the next keyframe). Nothing here throws for bad data.
 *
 * <p>Not thread-safe: one thread decodes. Counters may be read from other threads as approximate values.
 * Nothing is allocated per unit or per picture.
 */
public final class VideoDecoder implements AutoCloseable {
    /** Bytes of readable slack FFmpeg wants after coded data ({@code AV_INPUT_BUFFER_PADDING_SIZE}). */
    public static final int PADDING = 64;
    /** Units in flight whose times we remember: B-frame reordering plus frame-thread delay stay far below. */
    private static final int TIMES_RING = 256;

    /** avcodec calls this when the last reference to a wrapped unit buffer goes; the memory is not ours to free. */
    private static final Free_Pointer_BytePointer KEEP_MEMORY = new Free_Pointer_BytePointer() {
        @Override
        public void call(Pointer opaque, BytePointer data) {
            // The AccessUnit's owner frees its buffer.
        }
    };

    private final VideoCodec codec;
    private final int threads;
    private final DecodedFrameListener listener;
    private final AVCodecContext context;
    private final AVPacket packet;
    private final MemorySegment packetStruct;
    private final AVFrame avFrame;
    private final DecodedFrame frame;

    private final long[] ringCapture = new long[TIMES_RING];
    private final long[] ringArrival = new long[TIMES_RING];
    private final long[] ringRtp = new long[TIMES_RING];
    private final long[] ringSequence = new long[TIMES_RING];
    private final boolean[] ringDamaged = new boolean[TIMES_RING];
    private long nextPts;

    private boolean zeroCopy;
    private final DirectBufferSlots buffers = new DirectBufferSlots();
    /** Per buffer slot: a reference-counted wrapper over the buffer's memory, made when first needed. */
    private final AVBufferRef[] wrappers = new AVBufferRef[DirectBufferSlots.SLOTS];

    private long lastUnitSequence;
    private boolean pendingDiscontinuity;
    private boolean closed;

    private long unitsDecoded;
    private long framesDecoded;
    private long corruptFrames;
    private long copiedUnits;
    private long unitGaps;
    private long timesUnknown;
    private long decodeNanos;
    private final long[] errors = new long[DecodeError.values().length];
    private DecodeError lastError;
    private int lastErrorCode;

    /** A single-threaded decoder: the lowest latency, and no copy of the coded data. */
    public VideoDecoder(VideoCodec codec, DecodedFrameListener listener) {
        this(codec, 1, listener);
    }

    /**
     * @param threads avcodec threads; above 1 avcodec uses frame threads, which add a picture of
     *                latency per thread and a copy of each unit
     * @throws IllegalStateException if this FFmpeg build cannot decode {@code codec}
     */
    public VideoDecoder(VideoCodec codec, int threads, DecodedFrameListener listener) {
        if (codec == null || listener == null) {
            throw new IllegalArgumentException("a VideoDecoder needs a codec and a listener");
        }
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("decoder threads must be 1 to 64, not " + threads);
        }
        this.codec = codec;
        this.threads = threads;
        this.listener = listener;
        this.zeroCopy = threads == 1;
        int codecId = codec == VideoCodec.H265 ? avcodec.AV_CODEC_ID_HEVC : avcodec.AV_CODEC_ID_H264;
        AVCodec decoder = avcodec.avcodec_find_decoder(codecId);
        if (decoder == null) {
            throw new IllegalStateException("this FFmpeg build (" + FfmpegStructs.version() + ") has no " + codec
                    + " decoder");
        }
        context = avcodec.avcodec_alloc_context3(decoder);
        if (context == null) {
            throw new IllegalStateException("avcodec could not allocate a " + codec + " decoder context");
        }
        context.thread_count(threads);
        int rc = avcodec.avcodec_open2(context, decoder, (org.bytedeco.ffmpeg.avutil.AVDictionary) null);
        if (rc < 0) {
            avcodec.avcodec_free_context(context);
            throw new IllegalStateException("avcodec could not open the " + codec + " decoder: " + describe(rc));
        }
        packet = avcodec.av_packet_alloc();
        avFrame = avutil.av_frame_alloc();
        if (packet == null || avFrame == null) {
            avcodec.avcodec_free_context(context);
            if (packet != null) {
                avcodec.av_packet_free(packet);
            }
            if (avFrame != null) {
                avutil.av_frame_free(avFrame);
            }
            throw new IllegalStateException("avcodec could not allocate a packet or a frame");
        }
        packetStruct = NATIVE.asSlice(packet.address(), Loader.sizeof(AVPacket.class));
        frame = new DecodedFrame(avFrame);
    }

    /**
     * Decodes one access unit and delivers the pictures that became ready (none, one, or several:
     * with B-frames avcodec holds pictures back until their turn). The unit is not kept.
     */
    public void decode(AccessUnit unit) {
        ensureOpen();
        noteSequence(unit.sequence());
        if (unit.codec() != codec) {
            error(DecodeError.WRONG_CODEC, 0);
            return;
        }
        int size = unit.size();
        if (size <= 0) {
            error(DecodeError.EMPTY_UNIT, 0);
            return;
        }
        long pts = nextPts++;
        int slot = (int) (pts & (TIMES_RING - 1));
        ringCapture[slot] = unit.captureTimeMicros();
        ringArrival[slot] = unit.arrivalTimeMicros();
        ringRtp[slot] = unit.rtpTimestamp();
        ringSequence[slot] = unit.sequence();
        ringDamaged[slot] = unit.isDamaged();

        AVBufferRef wrapper = preparePacket(unit.data(), size, pts, unit.isKeyframe());
        long start = System.nanoTime();
        int rc = avcodec.avcodec_send_packet(context, packet);
        decodeNanos += System.nanoTime() - start;
        if (rc == FfmpegStructs.AVERROR_EAGAIN) {
            // avcodec wants its pictures taken first; we drain after every unit, so this is a safety net.
            drain();
            start = System.nanoTime();
            rc = avcodec.avcodec_send_packet(context, packet);
            decodeNanos += System.nanoTime() - start;
        }
        if (rc < 0) {
            error(DecodeError.REJECTED_UNIT, rc);
        } else {
            unitsDecoded++;
        }
        drain();
        if (wrapper != null && avutil.av_buffer_get_ref_count(wrapper) != 1) {
            // avcodec kept a reference past this call, which the unit does not outlive: copy from now on.
            zeroCopy = false;
        }
    }

    /**
     * End of stream: delivers the pictures avcodec still holds back (the last B-frame reordering
     * window, or frame threads' pipeline), then resets the decoder so that it can take a new stream,
     * starting at a keyframe.
     */
    public void flush() {
        ensureOpen();
        long start = System.nanoTime();
        avcodec.avcodec_send_packet(context, (AVPacket) null);
        decodeNanos += System.nanoTime() - start;
        drain();
        avcodec.avcodec_flush_buffers(context);
        lastUnitSequence = 0;
        pendingDiscontinuity = false;
    }

    /** Points the packet at the unit's bytes. Returns the wrapper avcodec reads them through, or null if it copies. */
    private AVBufferRef preparePacket(ByteBuffer data, int size, long pts, boolean keyframe) {
        int slot = buffers.find(data);
        if (slot < 0) {
            unwrap(buffers.nextVictim());
            slot = buffers.claim(data);
        }
        long address = buffers.address(slot);
        AVBufferRef wrapper = null;
        if (zeroCopy && !data.isReadOnly() && data.capacity() - size >= PADDING) {
            wrapper = wrappers[slot];
            if (wrapper == null) {
                wrapper = wrap(data);
                wrappers[slot] = wrapper;
            }
            for (int i = 0; i < PADDING; i += 8) {
                NATIVE.set(ValueLayout.JAVA_LONG_UNALIGNED, address + size + i, 0L);
            }
            packetStruct.set(ValueLayout.JAVA_LONG, FfmpegStructs.PACKET_BUF, wrapper.address());
        } else {
            // A packet without a buffer reference: avcodec copies the bytes into a padded buffer of its own.
            packetStruct.set(ValueLayout.JAVA_LONG, FfmpegStructs.PACKET_BUF, 0L);
            copiedUnits++;
        }
        packetStruct.set(ValueLayout.JAVA_LONG, FfmpegStructs.PACKET_DATA, address);
        packetStruct.set(ValueLayout.JAVA_INT, FfmpegStructs.PACKET_SIZE, size);
        packetStruct.set(ValueLayout.JAVA_LONG, FfmpegStructs.PACKET_PTS, pts);
        packetStruct.set(ValueLayout.JAVA_LONG, FfmpegStructs.PACKET_DTS, avutil.AV_NOPTS_VALUE);
        packetStruct.set(ValueLayout.JAVA_INT, FfmpegStructs.PACKET_FLAGS, keyframe ? avcodec.AV_PKT_FLAG_KEY : 0);
        return wrapper;
    }

    /**
     * An AVBufferRef over the whole of {@code data}, read-only, that never frees it: packets refer to
     * it, so avcodec reads units in place. Made once per buffer the units come in.
     */
    private static AVBufferRef wrap(ByteBuffer data) {
        BytePointer pointer = new BytePointer(data);
        pointer.position(0);
        AVBufferRef ref = avutil.av_buffer_create(pointer, data.capacity(), KEEP_MEMORY, null,
                avutil.AV_BUFFER_FLAG_READONLY);
        if (ref == null) {
            throw new OutOfMemoryError("avutil could not allocate a buffer reference");
        }
        return ref;
    }

    private void unwrap(int slot) {
        if (wrappers[slot] != null) {
            avutil.av_buffer_unref(wrappers[slot]);
            wrappers[slot] = null;
        }
        buffers.clear(slot);
    }

    /** Takes every picture avcodec has ready, and hands each to the listener. */
    private void drain() {
        while (true) {
            long start = System.nanoTime();
            int rc = avcodec.avcodec_receive_frame(context, avFrame);
            decodeNanos += System.nanoTime() - start;
            if (rc == FfmpegStructs.AVERROR_EAGAIN || rc == avutil.AVERROR_EOF) {
                return;
            }
            if (rc < 0) {
                // Pictures still queued come out at the next call.
                error(DecodeError.FRAME_FAILED, rc);
                return;
            }
            try {
                deliver();
            } finally {
                avutil.av_frame_unref(avFrame);
            }
        }
    }

    private void deliver() {
        framesDecoded++;
        frame.load(framesDecoded);
        long pts = frame.packetPts();
        if (pts >= 0 && pts < nextPts && nextPts - pts <= TIMES_RING) {
            int slot = (int) (pts & (TIMES_RING - 1));
            frame.times(true, ringCapture[slot], ringArrival[slot], ringRtp[slot], ringSequence[slot]);
            frame.unitDamaged(ringDamaged[slot]);
        } else {
            timesUnknown++;
            frame.times(false, 0, 0, 0, 0);
            frame.unitDamaged(false);
        }
        if (frame.isCorrupt()) {
            corruptFrames++;
        }
        frame.discontinuity(pendingDiscontinuity);
        pendingDiscontinuity = false;
        listener.onFrame(frame);
    }

    private void noteSequence(long sequence) {
        if (sequence != 0 && lastUnitSequence != 0 && sequence != lastUnitSequence + 1) {
            unitGaps++;
            pendingDiscontinuity = true;
        }
        lastUnitSequence = sequence;
    }

    /** Counts an error; data was lost, so the next picture is marked discontinuous. */
    private void error(DecodeError kind, int code) {
        pendingDiscontinuity = true;
        errors[kind.ordinal()]++;
        lastError = kind;
        lastErrorCode = code;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the " + codec + " decoder is closed");
        }
    }

    public VideoCodec codec() {
        return codec;
    }

    public int threads() {
        return threads;
    }

    /** Units avcodec accepted. */
    public long unitsDecoded() {
        return unitsDecoded;
    }

    /** Pictures delivered to the listener. */
    public long framesDecoded() {
        return framesDecoded;
    }

    /** Pictures delivered flagged {@link DecodedFrame#isCorrupt()}. */
    public long corruptFrames() {
        return corruptFrames;
    }

    /** Units skipped or pictures lost for {@code kind}. */
    public long errors(DecodeError kind) {
        return errors[kind.ordinal()];
    }

    /** All errors, of every kind. */
    public long decodeErrors() {
        long total = 0;
        for (long e : errors) {
            total += e;
        }
        return total;
    }

    /** The kind of the most recent error, or null if there was none. */
    public DecodeError lastError() {
        return lastError;
    }

    /** FFmpeg's AVERROR code of the most recent error, 0 where FFmpeg was not involved; see {@link #describe}. */
    public int lastErrorCode() {
        return lastErrorCode;
    }

    /** Units avcodec had to copy (see the class comment); 0 for a single-threaded decoder fed padded units. */
    public long copiedUnits() {
        return copiedUnits;
    }

    /** Gaps in the units' sequence numbers: places where upstream lost units. */
    public long unitGaps() {
        return unitGaps;
    }

    /** Pictures whose unit (and so whose times) avcodec could not tell us. */
    public long timesUnknown() {
        return timesUnknown;
    }

    /** Wall time spent inside avcodec, in ns: divide by {@link #framesDecoded()} for the time per picture. */
    public long decodeNanos() {
        return decodeNanos;
    }

    /** FFmpeg's text for an AVERROR code. Allocates: for diagnostics, not per frame. */
    public static String describe(int averror) {
        byte[] text = new byte[128];
        if (avutil.av_strerror(averror, text, text.length) < 0) {
            return "FFmpeg error " + averror;
        }
        int end = 0;
        while (end < text.length && text[end] != 0) {
            end++;
        }
        return new String(text, 0, end, java.nio.charset.StandardCharsets.UTF_8) + " (" + averror + ")";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        avcodec.avcodec_free_context(context);
        // The packet's buffer reference is ours (the wrapped unit buffer, released below), not avcodec's to free.
        packetStruct.set(ValueLayout.JAVA_LONG, FfmpegStructs.PACKET_BUF, 0L);
        packetStruct.set(ValueLayout.JAVA_LONG, FfmpegStructs.PACKET_DATA, 0L);
        packetStruct.set(ValueLayout.JAVA_INT, FfmpegStructs.PACKET_SIZE, 0);
        avcodec.av_packet_free(packet);
        for (int slot = 0; slot < DirectBufferSlots.SLOTS; slot++) {
            unwrap(slot);
        }
        avutil.av_frame_free(avFrame);
    }
}
