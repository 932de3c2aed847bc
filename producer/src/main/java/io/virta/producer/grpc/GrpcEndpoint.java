package io.virta.producer.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.virta.producer.config.ProducerConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gRPC server on one {@code HOST:PORT}, with the limits every Virta endpoint has: requests of at
 * most {@link #MAX_REQUEST_BYTES} (larger ones fail with RESOURCE_EXHAUSTED before they are parsed),
 * small headers, a few calls per connection, and a small fixed pool of call threads. The control
 * API and the event hub both listen through it.
 */
public final class GrpcEndpoint implements AutoCloseable {
    public static final int MAX_REQUEST_BYTES = 1024 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int THREADS = 4;

    /**
     * How one endpoint differs from another.
     *
     * @param what                  names the endpoint in errors, e.g. "control API"
     * @param option                the setting {@code listen} came from, e.g. "control.listen"
     * @param remedy                what to do when the address is taken, e.g. "give --listen a free HOST:PORT"
     * @param threadPrefix          its call threads' name, before their number
     * @param maxCallsPerConnection concurrent calls one client connection may have
     * @param drain                 how long close() lets running calls finish before cancelling them
     */
    public record Settings(String what, String option, String remedy, String threadPrefix, int maxCallsPerConnection,
            Duration drain) {
    }

    private final Server server;
    private final ExecutorService executor;
    private final InetSocketAddress address;
    private final Duration drain;

    private GrpcEndpoint(Server server, ExecutorService executor, Duration drain) {
        this.server = server;
        this.executor = executor;
        this.address = (InetSocketAddress) server.getListenSockets().getFirst();
        this.drain = drain;
    }

    /**
     * Binds {@code listen} ({@code HOST:PORT}; port 0 picks a free one) and serves {@code services}.
     *
     * @throws IOException saying which address could not be bound and what to do
     */
    public static GrpcEndpoint start(String listen, Settings settings, BindableService... services) throws IOException {
        InetSocketAddress requested;
        try {
            requested = ProducerConfig.listenAddress(listen);
        } catch (IllegalArgumentException e) {
            throw new IOException(settings.option() + ": " + e.getMessage(), e);
        }
        InetSocketAddress bind = new InetSocketAddress(requested.getHostString(), requested.getPort());
        if (bind.isUnresolved()) {
            throw new IOException(settings.option() + " '" + listen + "': cannot resolve host '"
                    + requested.getHostString() + "'");
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> Thread.ofPlatform()
                .name(settings.threadPrefix() + threadNumber.incrementAndGet()).daemon().unstarted(r));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(bind);
        for (BindableService service : services) {
            builder.addService(service);
        }
        Server server = builder
                .executor(executor)
                .maxInboundMessageSize(MAX_REQUEST_BYTES)
                .maxInboundMetadataSize(MAX_HEADER_BYTES)
                .maxConcurrentCallsPerConnection(settings.maxCallsPerConnection())
                .build();
        try {
            server.start();
        } catch (IOException e) {
            executor.shutdownNow();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException(settings.what() + ": cannot listen on " + listen + ": " + cause.getMessage() + "; "
                    + settings.remedy() + " (port 0 picks one)", e);
        }
        return new GrpcEndpoint(server, executor, settings.drain());
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
            if (!server.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS)) {
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
