package io.virta.rtsp.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;

/**
 * One UDP client's own server-side sockets: RTP on an even port and RTCP on the next one (RFC 3550
 * section 11), both on the event loop of the client's RTSP connection. Owning its sockets is what lets
 * a slow UDP client lose only its own packets: its socket's write buffer fills, nobody else's.
 *
 * <p>The RTP socket is connected to the client's RTP port, so each packet is written as a plain buffer
 * (no per-packet address object) and only that client can send to it. Whatever arrives on either socket
 * (receiver reports, NAT keep-alives, ICMP errors from a client that has gone) is read and discarded;
 * a datagram from the client's address tells the session its client is alive.
 */
final class RtpPortPair {
    /** The OS picks the first port; a pair fails only when its neighbour is taken, which is rare. */
    static final int BIND_ATTEMPTS = 64;
    private static final int SEND_BUFFER_BYTES = 4 * 1024 * 1024;

    final NioDatagramChannel rtp;
    final NioDatagramChannel rtcp;

    private RtpPortPair(NioDatagramChannel rtp, NioDatagramChannel rtcp) {
        this.rtp = rtp;
        this.rtcp = rtcp;
    }

    /**
     * Binds an even/odd port pair on {@code host}, connects RTP to {@code clientRtp} and registers
     * both on {@code loop}. Binding a datagram socket does not block, so this may run on the loop.
     *
     * @throws IOException when no pair could be bound in {@link #BIND_ATTEMPTS} tries
     */
    static RtpPortPair open(InetAddress host, InetSocketAddress clientRtp, EventLoop loop, WriteBufferWaterMark waterMark,
            Runnable clientAlive) throws IOException {
        DatagramChannel[] pair = bindPair(host);
        try {
            pair[0].connect(clientRtp);
        } catch (IOException e) {
            closeQuietly(pair[0]);
            closeQuietly(pair[1]);
            throw new IOException("cannot send RTP to " + clientRtp + ": " + e.getMessage(), e);
        }
        Discard discard = new Discard(clientRtp.getAddress(), clientAlive);
        NioDatagramChannel rtp = register(pair[0], loop, waterMark, discard);
        NioDatagramChannel rtcp = register(pair[1], loop, waterMark, discard);
        return new RtpPortPair(rtp, rtcp);
    }

    /** The RTP port; RTCP is the next one. */
    int rtpPort() {
        return rtp.localAddress().getPort();
    }

    void close() {
        rtp.close();
        rtcp.close();
    }

    private static DatagramChannel[] bindPair(InetAddress host) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            DatagramChannel first = open(host);
            DatagramChannel second = null;
            try {
                first.bind(new InetSocketAddress(host, 0));
                int port = ((InetSocketAddress) first.getLocalAddress()).getPort();
                // Keep the OS's pick and bind its neighbour, whichever side of the pair the pick is on.
                boolean even = (port & 1) == 0;
                int neighbour = even ? port + 1 : port - 1;
                if (neighbour > 0 && neighbour < 65536) {
                    second = open(host);
                    second.bind(new InetSocketAddress(host, neighbour));
                    return even ? new DatagramChannel[] {first, second} : new DatagramChannel[] {second, first};
                }
            } catch (IOException e) {
                last = e;
            }
            closeQuietly(first);
            closeQuietly(second);
        }
        throw new IOException("no free even/odd UDP port pair for RTP/RTCP on " + host.getHostAddress() + " after "
                + BIND_ATTEMPTS + " attempts" + (last == null ? "" : " (last: " + last.getMessage() + ")")
                + "; free some UDP ports, or have the client use RTP over TCP (-rtsp_transport tcp)", last);
    }

    private static DatagramChannel open(InetAddress host) throws IOException {
        return DatagramChannel.open(host instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
    }

    private static NioDatagramChannel register(DatagramChannel socket, EventLoop loop, WriteBufferWaterMark waterMark,
            Discard discard) {
        NioDatagramChannel channel = new NioDatagramChannel(socket);
        channel.config().setOption(ChannelOption.SO_SNDBUF, SEND_BUFFER_BYTES);
        channel.config().setWriteBufferWaterMark(waterMark);
        channel.pipeline().addLast(discard);
        loop.register(channel);
        return channel;
    }

    private static void closeQuietly(DatagramChannel socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing was sent on it; the OS reclaims the port either way
        }
    }

    /**
     * Incoming datagrams and socket errors: nothing a sender needs, but a datagram from the client's
     * address (its receiver reports) says it is still there. Shared by the pair's two sockets, which are
     * on one event loop.
     */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        private final InetAddress client;
        private final Runnable clientAlive;

        Discard(InetAddress client, Runnable clientAlive) {
            this.client = client;
            this.clientAlive = clientAlive;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof DatagramPacket packet && client.equals(packet.sender().getAddress())) {
                clientAlive.run();
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A connected socket hears "port unreachable" once its client is gone; the session ends with its RTSP connection.
        }
    }
}
