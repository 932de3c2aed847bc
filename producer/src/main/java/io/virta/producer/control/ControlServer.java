package io.virta.producer.control;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.daemon.Producer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves the control API ({@link ControlService}) on {@code control.listen}, by default
 * {@value ProducerConfig#DEFAULT_CONTROL_LISTEN}: loopback only, since whoever reaches it can make
 * the producer connect anywhere. Port 0 picks a free port; {@link #port()} tells which.
 *
 * <pre>{@code
 * try (ControlServer control = ControlServer.start(config.controlListen(), producer)) {
 *     System.out.println("control API on " + control.target());
 *     ...
 * }
 * }</pre>
 */
public final class ControlServer implements AutoCloseable {
    /** Largest request accepted; a larger one fails with RESOURCE_EXHAUSTED before it is parsed. */
    public static final int MAX_REQUEST_BYTES = 1024 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Calls run here; few, since control calls are rare and a slow StopStream must not pile up threads. */
    private static final int THREADS = 4;
    private static final int MAX_CALLS_PER_CONNECTION = 16;

    private final Server server;
    private final ExecutorService executor;
    private final InetSocketAddress address;

    private ControlServer(Server server, ExecutorService executor, InetSocketAddress address) {
        this.server = server;
        this.executor = executor;
        this.address = address;
    }

    /**
     * Binds {@code listen} ({@code HOST:PORT}) and starts serving the control API, and {@code alongside}
     * on the same port (the producer puts its event hub there).
     *
     * @throws IOException saying which address could not be bound and what to do
     */
    public static ControlServer start(String listen, Producer producer, BindableService... alongside)
            throws IOException {
        InetSocketAddress requested;
        try {
            requested = ProducerConfig.listenAddress(listen);
        } catch (IllegalArgumentException e) {
            throw new IOException("control.listen: " + e.getMessage(), e);
        }
        InetSocketAddress bind = new InetSocketAddress(requested.getHostString(), requested.getPort());
        if (bind.isUnresolved()) {
            throw new IOException("control.listen '" + listen + "': cannot resolve host '" + requested.getHostString()
                    + "'");
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> Thread.ofPlatform()
                .name("virta-control-" + threadNumber.incrementAndGet()).daemon().unstarted(r));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(bind).addService(new ControlService(producer));
        for (BindableService service : alongside) {
            builder.addService(service);
        }
        Server server = builder
                .executor(executor)
                .maxInboundMessageSize(MAX_REQUEST_BYTES)
                .maxInboundMetadataSize(MAX_HEADER_BYTES)
                .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
                .build();
        try {
            server.start();
        } catch (IOException e) {
            executor.shutdownNow();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException("control API: cannot listen on " + listen + ": " + cause.getMessage()
                    + "; set control.listen in the configuration to a free HOST:PORT (port 0 picks one)", e);
        }
        return new ControlServer(server, executor, (InetSocketAddress) server.getListenSockets().getFirst());
    }

    /** The address bound, with the actual port. */
    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** {@code HOST:PORT} for a client's channel, e.g. {@code ManagedChannelBuilder.forTarget(target())}. */
    public String target() {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** Stops accepting calls, lets running ones finish for a moment, then cancels the rest. */
    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            executor.shutdownNow();
        }
    }
}
