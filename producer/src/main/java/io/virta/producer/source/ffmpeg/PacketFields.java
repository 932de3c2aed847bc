package io.virta.producer.source.ffmpeg;

import io.virta.rtsp.media.NativeMemory;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.Loader;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads an {@code AVPacket} in place. JavaCPP's {@code packet.data()} makes a new Java object on
 * every call and the packet path must allocate nothing, so the fields are read through the FFM API
 * at offsets JavaCPP reports for the FFmpeg build actually loaded.
 */
final class PacketFields {
    /** All of the address space: a packet's address is an offset into it. */
    static final MemorySegment NATIVE = NativeMemory.ALL;

    private static final long DATA;
    private static final long SIZE;
    private static final long STREAM_INDEX;
    private static final long FLAGS;
    private static final long PTS;
    private static final long DTS;
    private static final long DURATION;
    private static final long POS;

    static {
        Loader.load(avutil.class);
        Loader.load(avcodec.class);
        Loader.load(AVPacket.class);
        DATA = Loader.offsetof(AVPacket.class, "data");
        SIZE = Loader.offsetof(AVPacket.class, "size");
        STREAM_INDEX = Loader.offsetof(AVPacket.class, "stream_index");
        FLAGS = Loader.offsetof(AVPacket.class, "flags");
        PTS = Loader.offsetof(AVPacket.class, "pts");
        DTS = Loader.offsetof(AVPacket.class, "dts");
        DURATION = Loader.offsetof(AVPacket.class, "duration");
        POS = Loader.offsetof(AVPacket.class, "pos");
    }

    private PacketFields() {
    }

    static long data(long packet) {
        return NATIVE.get(ValueLayout.JAVA_LONG, packet + DATA);
    }

    static int size(long packet) {
        return NATIVE.get(ValueLayout.JAVA_INT, packet + SIZE);
    }

    static int streamIndex(long packet) {
        return NATIVE.get(ValueLayout.JAVA_INT, packet + STREAM_INDEX);
    }

    static int flags(long packet) {
        return NATIVE.get(ValueLayout.JAVA_INT, packet + FLAGS);
    }

    static long pts(long packet) {
        return NATIVE.get(ValueLayout.JAVA_LONG, packet + PTS);
    }

    static long dts(long packet) {
        return NATIVE.get(ValueLayout.JAVA_LONG, packet + DTS);
    }

    static long duration(long packet) {
        return NATIVE.get(ValueLayout.JAVA_LONG, packet + DURATION);
    }

    /** Byte position in the input, or -1 where the demuxer does not know it. */
    static long pos(long packet) {
        return NATIVE.get(ValueLayout.JAVA_LONG, packet + POS);
    }
}
