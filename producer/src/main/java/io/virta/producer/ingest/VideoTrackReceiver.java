package io.virta.producer.ingest;

import io.virta.producer.source.TrackReceiver;

import io.netty.buffer.ByteBuf;
import io.virta.producer.config.TimestampMode;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;
import io.virta.bus.Clock;
import io.virta.rtsp.rtp.LossPolicy;
import io.virta.rtsp.rtp.Reorderer;
import io.virta.rtsp.rtp.RtpPacket;
import io.virta.rtsp.rtp.NalDepacketizer;
import io.virta.rtsp.rtp.h264.H264Depacketizer;
import io.virta.rtsp.rtp.h265.H265Depacketizer;
import io.virta.rtsp.sdp.MediaDescription;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * One camera's packet path, on its I/O thread: RTP packets, reordered when they come over UDP, are
 * depacketized into access units, stamped with their capture time, and handed to the sink.
 *
 * <pre>
 *   UDP:  packet -> Reorderer -> H264/H265 depacketizer -> CaptureClock -> sink
 *   TCP:  packet ------------->  H264/H265 depacketizer -> CaptureClock -> sink
 * </pre>
 */
public final class VideoTrackReceiver implements TrackReceiver {
    /** Packets held for reordering: about 50 ms of a 4 Mbit/s stream. */
    private static final int REORDER_WINDOW = 64;
    private static final long REORDER_HOLD_NANOS = 50_000_000;

    private final String camera;
    private final TimestampMode timestampMode;
    private final LossPolicy lossPolicy;
    private final int maxUnitSize;
    private final AccessUnitListener sink;
    private final Consumer<VideoCodec> codecListener;
    private final RtpPacket packet = new RtpPacket();
    /**
     * Each packet is copied here (about a microsecond's worth of memcpy for 1400 bytes) because a
     * ByteBuffer view of a Netty buffer is a new object per packet; a copy out of Netty's buffers
     * allocates nothing.
     */
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(RtpPacket.MAX_PACKET_LENGTH);
    private final RtcpReceiver rtcp = new RtcpReceiver();

    /**
     * The buffer units are assembled in, made at the first session and handed to the depacketizer of
     * every later one: a depacketizer per session used to allocate its own, and the old ones' native
     * memory (maxUnitSize each) stayed until a GC that a steady daemon hardly ever runs. Not made in
     * the constructor, because cameras read through FFmpeg have a receiver that never starts a session.
     */
    private AccessUnit unit;
    private NalDepacketizer depacketizer;
    private Reorderer reorderer;
    private VideoCodec codec;
    private CaptureClock clock;
    private int payloadType = -1;
    private volatile long lastUnitNanos;
    private long malformedPackets;
    private long foreignPackets;
    private volatile long rejectedPackets;
    private long units;
    private long bytes;
    private long packets;
    // Counters of the sessions before the current one, so that totals survive reconnects.
    private long lostBefore;
    private long droppedBefore;
    private long damagedBefore;

    /**
     * @param codecListener told the codec of each new session before its first unit, so the
     *                      encoded channel can be named {@code .h264} or {@code .h265}
     */
    public VideoTrackReceiver(String camera, TimestampMode timestampMode, int maxUnitSize, AccessUnitListener sink,
            Consumer<VideoCodec> codecListener) {
        this(camera, timestampMode, LossPolicy.DROP, maxUnitSize, sink, codecListener);
    }

    /** @param lossPolicy what the depacketizer does with units that packet loss touched */
    public VideoTrackReceiver(String camera, TimestampMode timestampMode, LossPolicy lossPolicy, int maxUnitSize,
            AccessUnitListener sink, Consumer<VideoCodec> codecListener) {
        this.lossPolicy = lossPolicy;
        this.camera = camera;
        this.timestampMode = timestampMode;
        this.maxUnitSize = maxUnitSize;
        this.sink = sink;
        this.codecListener = codecListener;
    }

    @Override
    public void onSessionStart(MediaDescription video, boolean overTcp) {
        VideoCodec newCodec = video.videoCodec().orElseThrow();
        var format = video.videoFormat().orElseThrow();
        payloadType = format.payloadType();
        lostBefore = packetsLost();
        droppedBefore = unitsDropped();
        damagedBefore = unitsDamaged();
        AccessUnitListener stamped = this::stampAndForward;
        if (unit == null) {
            unit = AccessUnit.allocate(maxUnitSize);
        }
        depacketizer = newCodec == VideoCodec.H264
                ? new H264Depacketizer(stamped, unit, video.parameterSets(), lossPolicy)
                : new H265Depacketizer(stamped, unit, video.parameterSets(), false, lossPolicy);
        // Over TCP-interleaved nothing is reordered or lost in transit, so packets skip the reorderer.
        reorderer = overTcp ? null : new Reorderer(REORDER_WINDOW, REORDER_HOLD_NANOS, depacketizer);
        rtcp.reset(format.clockRate());
        clock = new CaptureClock(timestampMode, format.clockRate(), rtcp::toEpochMicros);
        if (newCodec != codec) {
            codec = newCodec;
            codecListener.accept(newCodec);
        }
    }

    @Override
    public void onRtp(ByteBuf buf, long arrivalNanos) {
        if (depacketizer == null) {
            return;
        }
        int length = buf.readableBytes();
        if (length > scratch.capacity()) {
            malformedPackets++;
            return;
        }
        scratch.clear().limit(length);
        buf.getBytes(buf.readerIndex(), scratch);
        scratch.flip();
        if (!packet.wrap(scratch)) {
            malformedPackets++;
            return;
        }
        if (packet.payloadType() != payloadType) {
            foreignPackets++; // another payload type, e.g. a keep-alive or FEC: not ours
            return;
        }
        packets++;
        rtcp.onRtp(packet, arrivalNanos);
        depacketizer.setArrivalTimeMicros(Clock.epochMicros());
        if (reorderer != null) {
            reorderer.offer(packet, arrivalNanos);
        } else {
            depacketizer.onPacket(packet);
        }
    }

    @Override
    public void onStreamStart(int sequenceNumber) {
        if (reorderer != null) {
            reorderer.startAt(sequenceNumber);
        }
    }

    @Override
    public void onRejected() {
        rejectedPackets++; // one writer, the I/O thread; status reporting reads it
    }

    @Override
    public void onRtcp(ByteBuf buf, long arrivalNanos) {
        rtcp.onRtcp(buf, arrivalNanos);
    }

    @Override
    public void onTick(long nowNanos, RtcpSender sender) {
        if (reorderer != null) {
            reorderer.tick(nowNanos);
        }
        rtcp.maybeSendReport(nowNanos, sender);
    }

    @Override
    public long lastUnitNanos() {
        return lastUnitNanos;
    }

    private void stampAndForward(AccessUnit unit) {
        unit.captureTimeMicros(clock.captureMicros(unit.rtpTimestamp(), unit.arrivalTimeMicros()));
        lastUnitNanos = System.nanoTime();
        units++;
        bytes += unit.size();
        sink.onAccessUnit(unit);
    }

    public VideoCodec codec() {
        return codec;
    }

    public long units() {
        return units;
    }

    public long bytes() {
        return bytes;
    }

    public long malformedPackets() {
        return malformedPackets;
    }

    public long foreignPackets() {
        return foreignPackets;
    }

    /**
     * UDP datagrams on the RTP/RTCP ports that were not the camera's (another address, port or SSRC:
     * see {@link io.virta.rtsp.client.RtpSourceFilter}), dropped, over all sessions.
     */
    public long packetsRejected() {
        return rejectedPackets;
    }

    @Override
    public long packetsReceived() {
        return packets;
    }

    /** Packets lost in transit (reorderer; over TCP none are), over all sessions. */
    @Override
    public long packetsLost() {
        Reorderer r = reorderer;
        return lostBefore + (r == null ? 0 : r.lost());
    }

    /** Units delivered flagged damaged (conceal mode), over all sessions. */
    public long unitsDamaged() {
        NalDepacketizer d = depacketizer;
        return damagedBefore + (d == null ? 0 : d.counters().unitsDamaged());
    }

    /** Units the depacketizer dropped (incomplete after a loss, or waiting for a keyframe), over all sessions. */
    public long unitsDropped() {
        NalDepacketizer d = depacketizer;
        return droppedBefore + (d == null ? 0 : d.counters().unitsDropped());
    }

    public String camera() {
        return camera;
    }
}
