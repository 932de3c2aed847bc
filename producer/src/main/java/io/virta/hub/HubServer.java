package io.virta.hub;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.virta.producer.config.ProducerConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gRPC server with only the event hub on it: {@code virta hub}. Inside the producer the hub shares
 * the control API's server instead ({@code ControlServer.start(listen, producer, new EventHubService(hub))}).
 * Same limits as the control API: requests up to 1 MiB (larger: RESOURCE_EXHAUSTED).
 */
public final class HubServer implements AutoCloseable {
    public static final String DEFAULT_LISTEN = "127.0.0.1:50052";
    public static final int MAX_REQUEST_BYTES = 1024 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int THREADS = 4;
    private static final int MAX_CALLS_PER_CONNECTION = 64;

    private final Server server;
    private final ExecutorService executor;
    private final InetSocketAddress address;

    private HubServer(Server server, ExecutorService executor, InetSocketAddress address) {
        this.server = server;
        this.executor = executor;
        this.address = address;
    }

    /**
     * Serves {@code hub} on {@code listen} ({@code HOST:PORT}; port 0 picks a free one).
     *
     * @throws IOException saying which address could not be bound and what to do
     */
    public static HubServer start(String listen, EventHub hub) throws IOException {
        return start(listen, new EventHubService(hub));
    }

    /** Serves {@code services} with the hub's settings (the benchmark adds a no-op peer beside the hub). */
    public static HubServer start(String listen, BindableService... services) throws IOException {
        InetSocketAddress requested;
        try {
            requested = ProducerConfig.listenAddress(listen);
        } catch (IllegalArgumentException e) {
            throw new IOException("--listen: " + e.getMessage(), e);
        }
        InetSocketAddress bind = new InetSocketAddress(requested.getHostString(), requested.getPort());
        if (bind.isUnresolved()) {
            throw new IOException("--listen '" + listen + "': cannot resolve host '" + requested.getHostString() + "'");
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> Thread.ofPlatform()
                .name("virta-hub-grpc-" + threadNumber.incrementAndGet()).daemon().unstarted(r));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(bind);
        for (BindableService service : services) {
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
            throw new IOException("event hub: cannot listen on " + listen + ": " + cause.getMessage()
                    + "; give --listen a free HOST:PORT (port 0 picks one)", e);
        }
        return new HubServer(server, executor, (InetSocketAddress) server.getListenSockets().getFirst());
    }

    public int port() {
        return address.getPort();
    }

    /** {@code HOST:PORT} as bound, with the actual port. */
    public String target() {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** Stops accepting calls, lets running ones finish for a moment, then cancels the rest. */
    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(1, TimeUnit.SECONDS)) {
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
