package io.virta.rtsp.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.rtp.NalPacketizer;
import io.virta.rtsp.rtp.SdpFormat;
import io.virta.rtsp.rtp.h264.H264Packetizer;
import io.virta.rtsp.rtp.h265.H265Packetizer;

import io.virta.rtsp.fanout.LoopFanout;
import io.virta.rtsp.rtp.RtpPacketSink;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * One stream the server offers at {@code rtsp://host:port/<path>}. The source calls
 * {@link #publish} for each access unit, from its own thread; the unit is packetized once and handed
 * once to each event loop that serves clients ({@link LoopFanout}: a bounded ring per loop, nothing
 * allocated per unit). Each client's backlog is bounded by its own socket's write buffer (its TCP
 * connection, or its UDP session's own RTP socket; {@link RtspServer}'s water mark): a client above
 * it loses frames until the next keyframe, and
 * nobody else notices. A loop that stalls altogether loses frames for all its clients once its ring
 * is full. Both count in {@link #framesDropped()}, once per client that lost the frame.
 */
public final class MediaMount {
    static final int PAYLOAD_TYPE = 96;

    private final String path;
    private final VideoCodec codec;
    private final NalPacketizer packetizer;
    /** Playing clients, grouped by the event loop that writes to them. */
    private final LoopFanout<ServerSession, PacketBatch> clients;
    private final LongAdder framesDropped = new LongAdder();
    private final LongAdder framesSent = new LongAdder();
    /** The unit being published: the packetizer's references, released once handed to every loop. */
    private final PacketBatch packets = new PacketBatch();
    private final RtpPacketSink collect = (packet, last) -> packets.add(packet);
    private final SdpFormat format;

    public MediaMount(String path, VideoCodec codec) {
        this.path = path;
        this.codec = codec;
        this.format = new SdpFormat(codec, PAYLOAD_TYPE);
        this.clients = new LoopFanout<>("rtsp mount " + path, LoopFanout.DEFAULT_CAPACITY, PacketBatch::new,
                ServerSession::deliver);
        int ssrc = ThreadLocalRandom.current().nextInt();
        int firstSequence = ThreadLocalRandom.current().nextInt(65536);
        this.packetizer = codec == VideoCodec.H264
                ? new H264Packetizer(PooledByteBufAllocator.DEFAULT, PAYLOAD_TYPE, ssrc, firstSequence)
                : new H265Packetizer(PooledByteBufAllocator.DEFAULT, PAYLOAD_TYPE, ssrc, firstSequence);
    }

    public String path() {
        return path;
    }

    public VideoCodec codec() {
        return codec;
    }

    /** Clients playing now. */
    public int clients() {
        return clients.clients();
    }

    /**
     * Frames clients lost because they could not keep up (each then waited for a keyframe), summed
     * over clients: their own socket was full, or their event loop was stalled.
     */
    public long framesDropped() {
        return framesDropped.sum() + clients.clientUnitsDropped();
    }

    /** Frames handed to clients' sockets, summed over clients. */
    public long framesSent() {
        return framesSent.sum();
    }

    /** Frames a stalled event loop lost for all its clients, once per loop (also in {@link #framesDropped()}). */
    long framesDroppedByStalledLoops() {
        return clients.unitsDropped();
    }

    /**
     * Sends {@code unit} to every playing client. Call from one thread at a time. The unit is
     * packetized once; then each event loop that serves clients gets the packets once and writes
     * them to its own clients, so the caller does no per-client work unless it is itself that loop.
     */
    public void publish(AccessUnit unit) {
        if (unit.isKeyframe()) {
            format.remember(unit);
        }
        if (clients.clients() == 0) {
            return;
        }
        packetizer.packetize(unit, unit.rtpTimestamp(), collect);
        packets.keyframe(unit.isKeyframe());
        try {
            clients.publish(packets);
        } finally {
            packets.release();
        }
    }

    void play(ServerSession session) {
        clients.add(session.eventLoop(), session);
    }

    void stop(ServerSession session) {
        clients.remove(session);
    }

    /** Hangs up on every client: the stream they asked for is gone. */
    void disconnectAll() {
        clients.removeAll(ServerSession::hangUp);
    }

    void countSent() {
        framesSent.increment();
    }

    void countDropped() {
        framesDropped.increment();
    }

    /** The SDP media section for DESCRIBE. */
    String sdpMedia() {
        return "m=video 0 RTP/AVP " + PAYLOAD_TYPE + "\r\n" + format.attributes() + "a=control:track1\r\n";
    }
}
