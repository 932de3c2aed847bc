package io.virta.producer.rtsp.server;

import io.netty.channel.nio.NioEventLoopGroup;

import java.util.concurrent.TimeUnit;

/** A real RTSP server on loopback, any free port, serving one mount from one event loop of its own. */
final class OneLoopServer implements AutoCloseable {
    final NioEventLoopGroup group = new NioEventLoopGroup(1);
    final RtspServer server;

    OneLoopServer(MediaMount mount) throws InterruptedException {
        server = new RtspServer(group).mount(mount).bind("127.0.0.1", 0);
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
