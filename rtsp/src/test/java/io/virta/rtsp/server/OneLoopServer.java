package io.virta.rtsp.server;

import io.netty.channel.nio.NioEventLoopGroup;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.TimeUnit;

/**
 * A real RTSP server on loopback, any free port, serving one mount from one event loop of its own,
 * for each test: register it with {@code @RegisterExtension}.
 */
final class OneLoopServer implements BeforeEachCallback, AfterEachCallback {
    private final MediaMount mount;
    private NioEventLoopGroup group;
    private RtspServer server;

    OneLoopServer(MediaMount mount) {
        this.mount = mount;
    }

    RtspServer server() {
        return server;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws InterruptedException {
        group = new NioEventLoopGroup(1);
        server = new RtspServer(group).mount(mount).bind("127.0.0.1", 0);
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
