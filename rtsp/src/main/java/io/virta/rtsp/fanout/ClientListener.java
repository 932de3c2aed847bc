package io.virta.rtsp.fanout;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The TCP listener of a server whose clients a {@link LoopFanout} feeds (the RTSP server, the web
 * view): no Nagle delay (frames go out as they come), a write-buffer water mark per client, above
 * which the client counts as slow ({@code isWritable()} false) and loses units until the next
 * keyframe, and the server's {@link ConnectionLimits}:
 * <ul>
 *   <li>a connection beyond {@code maxConnections} is closed as soon as it is accepted, before any
 *       handler sees it, and counted in {@link #refused()};</li>
 *   <li>each connection gets an {@link IdleGuard} first in its pipeline, which closes it (counted in
 *       {@link #closedIdle()}) when its protocol does not renew it in time.</li>
 * </ul>
 *
 * <p>Threads: counters are read from any thread; everything else runs on the event loops.
 *
 * <pre>{@code
 * ClientListener listener = ClientListener.bind("rtspServer", group, "127.0.0.1", 0, waterMark,
 *         ConnectionLimits.DEFAULTS, (ch, guard) -> ch.pipeline().addLast(new MyProtocol(guard)));
 * }</pre>
 */
public final class ClientListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClientListener.class.getName());
    /** Refusals are logged at most this often: a flood must not become a flood of log lines. */
    private static final long REFUSAL_LOG_INTERVAL_NANOS = 60_000_000_000L;

    /** Sets up one accepted connection's protocol, after its {@link IdleGuard}. */
    @FunctionalInterface
    public interface Initializer {
        void init(NioSocketChannel channel, IdleGuard guard);
    }

    private final String name;
    private final ConnectionLimits limits;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong closedIdle = new AtomicLong();
    private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS);
    private Channel channel;

    private ClientListener(String name, ConnectionLimits limits) {
        this.name = name;
        this.limits = limits;
    }

    /**
     * Binds {@code host:port} (port 0 picks a free one) on {@code group}.
     *
     * @param name    the server's YAML section ({@code rtspServer}, {@code webView}), for log lines
     *                that name the setting to change
     * @param init    sets up each accepted connection's pipeline
     */
    public static ClientListener bind(String name, EventLoopGroup group, String host, int port,
            WriteBufferWaterMark perClient, ConnectionLimits limits, Initializer init) throws InterruptedException {
        ClientListener listener = new ClientListener(name, limits);
        listener.channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, perClient)
                .childHandler(new ChannelInitializer<NioSocketChannel>() {
                    @Override
                    protected void initChannel(NioSocketChannel ch) {
                        listener.accept(ch, init);
                    }
                }).bind(host, port).sync().channel();
        return listener;
    }

    private void accept(NioSocketChannel ch, Initializer init) {
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            long count = refused.incrementAndGet();
            ch.close();
            long last = lastRefusalLog.get();
            long now = System.nanoTime();
            if (now - last >= REFUSAL_LOG_INTERVAL_NANOS && lastRefusalLog.compareAndSet(last, now)) {
                LOG.warning(name + ": " + limits.maxConnections() + " connections are open, the most "
                        + name + ".maxConnections allows; closed a new one from " + ch.remoteAddress() + " (" + count
                        + " refused so far). Raise " + name + ".maxConnections if these clients are yours");
            }
            return;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        IdleGuard guard = new IdleGuard(this);
        ch.pipeline().addLast("idle-guard", guard);
        init.init(ch, guard);
    }

    /** The listening socket's address (the port it got, when bound to port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    /** Connections closed on accept because {@code maxConnections} were open. */
    public long refused() {
        return refused.get();
    }

    /** Connections closed because they stayed silent longer than their {@link IdleGuard} allowed. */
    public long closedIdle() {
        return closedIdle.get();
    }

    public ConnectionLimits limits() {
        return limits;
    }

    String name() {
        return name;
    }

    void countClosedIdle() {
        closedIdle.incrementAndGet();
    }

    /** Stops listening; connections already open stay open (their server closes them). */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
