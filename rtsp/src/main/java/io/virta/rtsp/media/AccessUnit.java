package io.virta.rtsp.media;

import java.nio.ByteBuffer;

/**
 * One coded picture in Annex-B form (each NAL unit preceded by {@code 00 00 00 01}), with its times.
 *
 * <p>Instances are owned and reused by whoever emits them (a depacketizer, an encoder, a file
 * reader): a listener may read one only during {@link AccessUnitListener#onAccessUnit} and must
 * copy what it keeps. That is what lets the ingest path run without allocating per frame.
 */
public final class AccessUnit {
    private final ByteBuffer data;
    private VideoCodec codec = VideoCodec.H264;
    private long rtpTimestamp;
    private long captureTimeMicros;
    private long arrivalTimeMicros;
    private boolean keyframe;
    private boolean damaged;
    private long sequence;
    private int slot;

    /** A unit over {@code data}, a direct buffer: decoders hand its address to FFmpeg without copying. */
    public AccessUnit(ByteBuffer data) {
        if (!data.isDirect()) {
            throw new IllegalArgumentException("an AccessUnit needs a direct buffer");
        }
        this.data = data;
    }

    public static AccessUnit allocate(int capacity) {
        return new AccessUnit(ByteBuffer.allocateDirect(capacity));
    }

    /** Bytes {@code [0, limit)} hold the unit; position is 0. */
    public ByteBuffer data() {
        return data;
    }

    public int size() {
        return data.limit();
    }

    public VideoCodec codec() {
        return codec;
    }

    public AccessUnit codec(VideoCodec codec) {
        this.codec = codec;
        return this;
    }

    /** RTP timestamp, unwrapped to 64 bits so it only grows; in {@link VideoCodec#clockRate} units. */
    public long rtpTimestamp() {
        return rtpTimestamp;
    }

    public AccessUnit rtpTimestamp(long rtpTimestamp) {
        this.rtpTimestamp = rtpTimestamp;
        return this;
    }

    /** When the camera captured the picture, µs since the Unix epoch (after the stream's timestamp mode). */
    public long captureTimeMicros() {
        return captureTimeMicros;
    }

    public AccessUnit captureTimeMicros(long micros) {
        this.captureTimeMicros = micros;
        return this;
    }

    /** When its last packet arrived here, µs since the Unix epoch. */
    public long arrivalTimeMicros() {
        return arrivalTimeMicros;
    }

    public AccessUnit arrivalTimeMicros(long micros) {
        this.arrivalTimeMicros = micros;
        return this;
    }

    /** An IDR (H264) or IRAP (H265) picture, with its parameter sets in front of it. */
    public boolean isKeyframe() {
        return keyframe;
    }

    public AccessUnit keyframe(boolean keyframe) {
        this.keyframe = keyframe;
        return this;
    }

    /**
     * Packets of this unit were lost, or of one it refers to since the last whole keyframe: a decoder
     * conceals the holes. False for every unit of a clean stream.
     */
    public boolean isDamaged() {
        return damaged;
    }

    public AccessUnit damaged(boolean damaged) {
        this.damaged = damaged;
        return this;
    }

    /** Counts the units a source emitted, from 1 and without gaps; its counters say how many it dropped. */
    public long sequence() {
        return sequence;
    }

    public AccessUnit sequence(long sequence) {
        this.sequence = sequence;
        return this;
    }

    /** The stream's slot number (libValkka's slot): published as the bus cell's stream id. */
    public int slot() {
        return slot;
    }

    public AccessUnit slot(int slot) {
        this.slot = slot;
        return this;
    }
}
