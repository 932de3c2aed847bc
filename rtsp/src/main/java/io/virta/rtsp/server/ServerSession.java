package io.virta.rtsp.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One client's playback of one mount: where its packets go (interleaved in its TCP connection, or
 * UDP datagrams from its own {@link RtpPortPair}), and whether it may take the next frame. Either way
 * it is written on its RTSP connection's event loop, and its own socket's water mark decides when
 * it is too slow.
 */
final class ServerSession {
    final String id;
    final MediaMount mount;
    private final Channel control;
    private final boolean overTcp;
    private final int rtpChannel;
    /** Null over TCP. */
    private final RtpPortPair udp;
    /** Clients start at a keyframe, and after dropping a frame they wait for the next one. */
    private volatile boolean waitingForKeyframe = true;
    private final AtomicLong framesDropped = new AtomicLong();
    /** Set at PLAY, on the connection's event loop: a playing session lets its connection stay silent longer. */
    boolean playing;

    private ServerSession(String id, MediaMount mount, Channel control, boolean overTcp, int rtpChannel, RtpPortPair udp) {
        this.id = id;
        this.mount = mount;
        this.control = control;
        this.overTcp = overTcp;
        this.rtpChannel = rtpChannel;
        this.udp = udp;
    }

    static ServerSession interleaved(String id, MediaMount mount, Channel control, int rtpChannel) {
        return new ServerSession(id, mount, control, true, rtpChannel, null);
    }

    /** {@code udp}: bound for this session alone, on {@code control}'s event loop; the session closes it. */
    static ServerSession udp(String id, MediaMount mount, Channel control, RtpPortPair udp) {
        return new ServerSession(id, mount, control, false, -1, udp);
    }

    long framesDropped() {
        return framesDropped.get();
    }

    void hangUp() {
        control.close();
    }

    /** Stops playing and gives back the session's UDP ports, if it has any. Idempotent. */
    void close() {
        mount.stop(this);
        if (udp != null) {
            udp.close();
        }
    }

    /** The loop that writes this client's packets (its UDP sockets' too): where {@link #deliver} must run. */
    EventLoop eventLoop() {
        return control.eventLoop();
    }

    /** Called on {@link #eventLoop()} with the packets of one access unit; the caller keeps ownership. */
    void deliver(PacketBatch packets) {
        if (waitingForKeyframe && !packets.keyframe()) {
            return;
        }
        Channel out = overTcp ? control : udp.rtp;
        if (!control.isActive() || !out.isActive()) {
            return;
        }
        if (!out.isWritable()) {
            // Its socket buffer is full: this client loses this frame, and only this client.
            framesDropped.incrementAndGet();
            mount.countDropped();
            waitingForKeyframe = true;
            return;
        }
        waitingForKeyframe = false;
        mount.countSent();
        for (int i = 0; i < packets.count(); i++) {
            ByteBuf packet = packets.packet(i);
            if (overTcp) {
                ByteBuf framed = control.alloc().buffer(4);
                framed.writeByte('$').writeByte(rtpChannel).writeShort(packet.readableBytes());
                // Void promises: nothing listens to these writes, and a promise per packet per client adds up.
                control.write(framed, control.voidPromise());
                control.write(packet.retainedDuplicate(), control.voidPromise());
            } else {
                // Connected to the client's RTP port: a plain buffer, and no promise to allocate.
                udp.rtp.write(packet.retainedDuplicate(), udp.rtp.voidPromise());
            }
        }
        out.flush();
    }
}
