package io.virta.producer.rtsp.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client's playback of one mount: where its packets go (interleaved in its TCP connection, or
 * UDP datagrams to its ports), and whether it may take the next frame.
 */
final class ServerSession {
    final String id;
    final MediaMount mount;
    private final Channel control;
    private final boolean overTcp;
    private final int rtpChannel;
    private final Channel udpSocket;
    private final InetSocketAddress clientRtp;
    /** Clients start at a keyframe, and after dropping a frame they wait for the next one. */
    private volatile boolean waitingForKeyframe = true;
    private final AtomicLong framesDropped = new AtomicLong();

    private ServerSession(String id, MediaMount mount, Channel control, boolean overTcp, int rtpChannel, Channel udpSocket,
            InetSocketAddress clientRtp) {
        this.id = id;
        this.mount = mount;
        this.control = control;
        this.overTcp = overTcp;
        this.rtpChannel = rtpChannel;
        this.udpSocket = udpSocket;
        this.clientRtp = clientRtp;
    }

    static ServerSession interleaved(String id, MediaMount mount, Channel control, int rtpChannel) {
        return new ServerSession(id, mount, control, true, rtpChannel, null, null);
    }

    static ServerSession udp(String id, MediaMount mount, Channel control, Channel udpSocket, InetSocketAddress clientRtp) {
        return new ServerSession(id, mount, control, false, -1, udpSocket, clientRtp);
    }

    long framesDropped() {
        return framesDropped.get();
    }

    void hangUp() {
        control.close();
    }

    /** The loop that writes this client's packets: where {@link #deliver} must run. */
    EventLoop eventLoop() {
        return (overTcp ? control : udpSocket).eventLoop();
    }

    /** Called on {@link #eventLoop()} with the packets of one access unit; the caller keeps ownership. */
    void deliver(PacketBatch packets) {
        if (waitingForKeyframe && !packets.keyframe()) {
            return;
        }
        Channel out = overTcp ? control : udpSocket;
        if (!control.isActive()) {
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
                control.write(framed);
                control.write(packet.retainedDuplicate());
            } else {
                udpSocket.write(new DatagramPacket(packet.retainedDuplicate(), clientRtp));
            }
        }
        out.flush();
    }
}
