package io.virta.producer.rtsp.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.virta.producer.media.AccessUnit;
import io.virta.producer.media.VideoCodec;
import io.virta.producer.rtp.NalPacketizer;
import io.virta.producer.rtp.SdpFormat;
import io.virta.producer.rtp.h264.H264Packetizer;
import io.virta.producer.rtp.h265.H265Packetizer;

import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * One stream the server offers at {@code rtsp://host:port/<path>}. The source calls
 * {@link #publish} for each access unit, from its own thread. Each client's backlog is bounded by
 * its socket's write buffer ({@link RtspServer}'s water mark): a client above it loses frames until
 * the next keyframe, counted in {@link #framesDropped()}, and nobody else notices.
 */
public final class MediaMount {
    static final int PAYLOAD_TYPE = 96;

    private final String path;
    private final VideoCodec codec;
    private final NalPacketizer packetizer;
    private static final ClientLoop[] NO_LOOPS = {};
    /** Playing clients grouped by the event loop that writes to them; replaced whole on change. */
    private volatile ClientLoop[] loops = NO_LOOPS;
    private final LongAdder framesDropped = new LongAdder();
    private final LongAdder framesSent = new LongAdder();
    private final List<ByteBuf> packets = new ArrayList<>();
    private final io.virta.producer.rtp.RtpPacketSink collect = (packet, last) -> packets.add(packet);
    private final SdpFormat format;

    public MediaMount(String path, VideoCodec codec) {
        this.path = path;
        this.codec = codec;
        this.format = new SdpFormat(codec, PAYLOAD_TYPE);
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
        int n = 0;
        for (ClientLoop loop : loops) {
            n += loop.sessions.size();
        }
        return n;
    }

    /** Frames clients lost because they could not keep up (each then waited for a keyframe). */
    public long framesDropped() {
        return framesDropped.sum();
    }

    /** Frames handed to clients' sockets, summed over clients. */
    public long framesSent() {
        return framesSent.sum();
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
        ClientLoop[] loops = this.loops;
        if (loops.length == 0) {
            return;
        }
        packets.clear();
        packetizer.packetize(unit, unit.rtpTimestamp(), collect);
        boolean keyframe = unit.isKeyframe();
        for (ClientLoop loop : loops) {
            if (loop.loop.inEventLoop()) {
                loop.deliver(packets, keyframe);
            } else {
                ByteBuf[] batch = new ByteBuf[packets.size()];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = packets.get(i).retainedDuplicate();
                }
                loop.loop.execute(() -> loop.deliverAndRelease(batch, keyframe));
            }
        }
        for (ByteBuf packet : packets) {
            packet.release();
        }
        packets.clear();
    }

    synchronized void play(ServerSession session) {
        EventLoop eventLoop = session.eventLoop();
        for (ClientLoop loop : loops) {
            if (loop.loop == eventLoop) {
                loop.sessions.add(session);
                return;
            }
        }
        ClientLoop added = new ClientLoop(eventLoop);
        added.sessions.add(session);
        ClientLoop[] more = Arrays.copyOf(loops, loops.length + 1);
        more[loops.length] = added;
        loops = more;
    }

    synchronized void stop(ServerSession session) {
        for (ClientLoop loop : loops) {
            loop.sessions.remove(session);
        }
    }

    /** Hangs up on every client: the stream they asked for is gone. */
    synchronized void disconnectAll() {
        for (ClientLoop loop : loops) {
            for (ServerSession session : loop.sessions) {
                session.hangUp();
            }
        }
        loops = NO_LOOPS;
    }

    void countSent() {
        framesSent.increment();
    }

    void countDropped() {
        framesDropped.increment();
    }

    /** The clients one event loop writes to; their deliveries run on that loop. */
    private static final class ClientLoop {
        final EventLoop loop;
        final List<ServerSession> sessions = new CopyOnWriteArrayList<>();

        ClientLoop(EventLoop loop) {
            this.loop = loop;
        }

        void deliver(List<ByteBuf> packets, boolean keyframe) {
            for (ServerSession session : sessions) {
                session.deliver(packets, keyframe);
            }
        }

        void deliverAndRelease(ByteBuf[] batch, boolean keyframe) {
            try {
                deliver(Arrays.asList(batch), keyframe);
            } finally {
                for (ByteBuf packet : batch) {
                    packet.release();
                }
            }
        }
    }

    /** The SDP media section for DESCRIBE. */
    String sdpMedia() {
        return "m=video 0 RTP/AVP " + PAYLOAD_TYPE + "\r\n" + format.attributes() + "a=control:track1\r\n";
    }
}
