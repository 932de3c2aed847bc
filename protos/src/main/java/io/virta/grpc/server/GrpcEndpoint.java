package io.virta.grpc.server;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.virta.grpc.ClientSecurity;
import io.virta.grpc.GrpcChannels;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A gRPC server on one {@code HOST:PORT} (and optionally a Unix-domain socket), with the limits and the
 * access rules every Virta endpoint has. The control API and the event hub both listen through it.
 *
 * <ul>
 *   <li><b>Requests</b> of at most {@link #MAX_REQUEST_BYTES} (larger ones fail with RESOURCE_EXHAUSTED
 *       before they are parsed), small headers, a few calls per connection, a small fixed pool of call
 *       threads.</li>
 *   <li><b>Access</b> ({@link EndpointAccess}): with a token, every call on every listener must carry it,
 *       else UNAUTHENTICATED. TLS from PEM files on the TCP listener. A Unix-domain socket, mode 0600
 *       (0660 with a group). Listening beyond loopback without a token fails at start unless
 *       {@code allowUnauthenticated}.</li>
 *   <li><b>Connections</b> ({@link ConnectionLimits}): at most {@code maxConnections} TCP connections
 *       (one more is closed when accepted); one that has not finished its handshake after
 *       {@code handshakeTimeout}, or has had no call for {@code maxConnectionIdle}, is closed; silent
 *       peers are pinged and dropped when they do not answer.</li>
 * </ul>
 *
 * <pre>{@code
 * try (GrpcEndpoint endpoint = GrpcEndpoint.start("127.0.0.1:0", EndpointAccess.LOOPBACK_ONLY,
 *         ConnectionLimits.DEFAULTS, settings, service)) {
 *     ManagedChannel channel = GrpcChannels.open(GrpcTarget.parse(endpoint.target(), "target"));
 * }
 * }</pre>
 * Thread-safe; {@link #close()} is idempotent.
 */
public final class GrpcEndpoint implements AutoCloseable {
    public static final int MAX_REQUEST_BYTES = 1024 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int THREADS = 4;
    /** Clients may ping this often without calls in flight (a worker's keepalive); faster pings are abuse. */
    private static final Duration PERMITTED_KEEPALIVE = Duration.ofSeconds(20);

    /**
     * How one endpoint differs from another.
     *
     * @param what                  names the endpoint in errors, e.g. "control API"
     * @param option                the setting {@code listen} came from, e.g. "control.listen"
     * @param remedy                what to do when the address is taken, e.g. "give --listen a free HOST:PORT"
     * @param threadPrefix          its threads' name, before their number
     * @param maxCallsPerConnection concurrent calls one client connection may have
     * @param drain                 how long close() lets running calls finish before cancelling them
     * @param names                 the settings of its access rules, for errors
     */
    public record Settings(String what, String option, String remedy, String threadPrefix, int maxCallsPerConnection,
            Duration drain, AccessNames names) {
    }

    /**
     * The settings that set the access rules, as the user writes them (YAML keys or flags), for errors.
     *
     * @param token                e.g. "control.tokenFile" or "--token-file"
     * @param allowUnauthenticated e.g. "control.allowUnauthenticated: true" or "--allow-unauthenticated"
     * @param tls                  e.g. "control.tls" or "--tls-cert/--tls-key"
     * @param unixSocket           e.g. "control.unixSocket" or "--unix-socket"
     */
    public record AccessNames(String token, String allowUnauthenticated, String tls, String unixSocket) {
    }

    private final List<Server> servers;
    private final List<EventLoopGroup> loops;
    private final ExecutorService executor;
    private final InetSocketAddress address;
    private final Optional<UnixSocketFile> socketFile;
    private final EndpointAccess access;
    private final Duration drain;
    private final AtomicLong refusedConnections;
    private final Semaphore openConnections;
    private final int maxConnections;
    private final Optional<TokenCheck> tokenCheck;
    private final AtomicInteger closed = new AtomicInteger();

    private GrpcEndpoint(List<Server> servers, List<EventLoopGroup> loops, ExecutorService executor,
            Optional<UnixSocketFile> socketFile, EndpointAccess access, Duration drain, AtomicLong refusedConnections,
            Semaphore openConnections, int maxConnections, Optional<TokenCheck> tokenCheck) {
        this.servers = servers;
        this.loops = loops;
        this.executor = executor;
        this.address = (InetSocketAddress) servers.getFirst().getListenSockets().getFirst();
        this.socketFile = socketFile;
        this.access = access;
        this.drain = drain;
        this.refusedConnections = refusedConnections;
        this.openConnections = openConnections;
        this.maxConnections = maxConnections;
        this.tokenCheck = tokenCheck;
    }

    /** Binds {@code listen} loopback-only, without token, TLS or socket, with the default connection limits. */
    public static GrpcEndpoint start(String listen, Settings settings, BindableService... services) throws IOException {
        return start(listen, EndpointAccess.LOOPBACK_ONLY, ConnectionLimits.DEFAULTS, settings, services);
    }

    /**
     * Binds {@code listen} ({@code HOST:PORT}; port 0 picks a free one), and the Unix-domain socket when
     * {@code access} has one, and serves {@code services} on both.
     *
     * @throws IOException saying which address or setting is unusable and what to do
     */
    public static GrpcEndpoint start(String listen, EndpointAccess access, ConnectionLimits limits, Settings settings,
            BindableService... services) throws IOException {
        InetSocketAddress requested;
        try {
            requested = ListenAddress.parse(listen);
        } catch (IllegalArgumentException e) {
            throw new IOException(settings.option() + ": " + e.getMessage(), e);
        }
        InetSocketAddress bind = new InetSocketAddress(requested.getHostString(), requested.getPort());
        if (bind.isUnresolved()) {
            throw new IOException(settings.option() + " '" + listen + "': cannot resolve host '"
                    + requested.getHostString() + "'");
        }
        if (!bind.getAddress().isLoopbackAddress() && access.token().isEmpty() && !access.allowUnauthenticated()) {
            throw new IOException(settings.what() + ": " + settings.option() + " " + listen + " reaches beyond this"
                    + " machine (not a loopback address), and no token is set: anyone who can connect could use"
                    + " the " + settings.what() + ". Set " + settings.names().token() + " (see docs/security.md),"
                    + " listen on 127.0.0.1, or, on a network you trust, set "
                    + settings.names().allowUnauthenticated());
        }
        ServerCredentials credentials = InsecureServerCredentials.create();
        if (access.tls().isPresent()) {
            EndpointAccess.TlsFiles tls = access.tls().get();
            try {
                credentials = TlsServerCredentials.create(tls.certificateChain().toFile(), tls.privateKey().toFile());
            } catch (IOException | RuntimeException e) {
                throw new IOException(settings.names().tls() + ": cannot load the certificate chain "
                        + tls.certificateChain() + " and private key " + tls.privateKey() + " (" + e.getMessage()
                        + "): give PEM files, the key in PKCS#8 ('BEGIN PRIVATE KEY')", e);
            }
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> Thread.ofPlatform()
                .name(settings.threadPrefix() + threadNumber.incrementAndGet()).daemon().unstarted(r));
        List<EventLoopGroup> loops = new ArrayList<>();
        List<Server> servers = new ArrayList<>();
        Optional<UnixSocketFile> socketFile = Optional.empty();
        Semaphore open = new Semaphore(limits.maxConnections());
        AtomicLong refused = new AtomicLong();
        Optional<TokenCheck> tokenCheck = access.token().map(TokenCheck::new);
        try {
            EventLoopGroup boss = loops(loops, 1, settings.threadPrefix() + "accept", NioIoHandler.newFactory());
            EventLoopGroup workers = loops(loops, Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4),
                    settings.threadPrefix() + "io", NioIoHandler.newFactory());
            NettyServerBuilder tcp = NettyServerBuilder.forAddress(bind, credentials)
                    .channelFactory(() -> new CappedServerSocketChannel(open, refused))
                    .bossEventLoopGroup(boss).workerEventLoopGroup(workers);
            servers.add(start(configure(tcp, executor, limits, settings, tokenCheck, services), settings, listen));
            if (access.unixSocket().isPresent()) {
                if (!Epoll.isAvailable()) {
                    throw new IOException(settings.names().unixSocket() + ": Unix-domain sockets need Netty's epoll"
                            + " transport, which is not available here (" + Epoll.unavailabilityCause() + ")");
                }
                GrpcChannels.quietKeepAliveWarnings();
                UnixSocketFile file = UnixSocketFile.prepare(access.unixSocket().get(), settings.names().unixSocket());
                socketFile = Optional.of(file);
                EventLoopGroup unixLoop = loops(loops, 1, settings.threadPrefix() + "unix", EpollIoHandler.newFactory());
                NettyServerBuilder unix = NettyServerBuilder.forAddress(new DomainSocketAddress(file.bindPath().toFile()),
                                InsecureServerCredentials.create())
                        .channelType(EpollServerDomainSocketChannel.class)
                        .bossEventLoopGroup(unixLoop).workerEventLoopGroup(unixLoop);
                servers.add(start(configure(unix, executor, limits, settings, tokenCheck, services), settings,
                        file.path().toString()));
                file.publish();
            }
        } catch (IOException | RuntimeException e) {
            for (Server server : servers) {
                server.shutdownNow();
            }
            socketFile.ifPresent(UnixSocketFile::remove);
            for (EventLoopGroup group : loops) {
                group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            }
            executor.shutdownNow();
            throw e;
        }
        return new GrpcEndpoint(servers, loops, executor, socketFile, access, settings.drain(), refused, open,
                limits.maxConnections(), tokenCheck);
    }

    private static EventLoopGroup loops(List<EventLoopGroup> all, int threads, String name,
            IoHandlerFactory handlers) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), handlers);
        all.add(group);
        return group;
    }

    private static Server configure(NettyServerBuilder builder, ExecutorService executor, ConnectionLimits limits,
            Settings settings, Optional<TokenCheck> tokenCheck, BindableService[] services) {
        for (BindableService service : services) {
            builder.addService(service);
        }
        tokenCheck.ifPresent(builder::intercept);
        return builder
                .executor(executor)
                .maxInboundMessageSize(MAX_REQUEST_BYTES)
                .maxInboundMetadataSize(MAX_HEADER_BYTES)
                .maxConcurrentCallsPerConnection(settings.maxCallsPerConnection())
                .handshakeTimeout(limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionIdle(limits.maxConnectionIdle().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTime(limits.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(limits.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(PERMITTED_KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .build();
    }

    private static Server start(Server server, Settings settings, String where) throws IOException {
        try {
            return server.start();
        } catch (IOException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException(settings.what() + ": cannot listen on " + where + ": " + cause.getMessage() + "; "
                    + settings.remedy() + " (port 0 picks one)", e);
        }
    }

    /** The TCP address bound, with the actual port. */
    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** {@code HOST:PORT} for a client's channel, e.g. {@code GrpcTarget.parse(target(), ...)}. */
    public String target() {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** The Unix-domain socket's path, when there is one. */
    public Optional<Path> unixSocket() {
        return socketFile.map(UnixSocketFile::path);
    }

    /**
     * Where a client on this machine (a supervised worker) best connects: the Unix-domain socket when
     * there is one, else {@link #target()}.
     */
    public String localTarget() {
        return unixSocket().map(p -> "unix:" + p).orElseGet(this::target);
    }

    /**
     * The environment that lets a client on this machine connect: the token as {@code VIRTA_TOKEN_FILE}
     * or {@code VIRTA_TOKEN}, and, for TLS on the TCP listener (when there is no socket), the certificate
     * chain as {@code VIRTA_CA_FILE}. Goes into supervised workers' environment, never their command line.
     */
    public Map<String, String> clientEnvironment() {
        Map<String, String> env = new HashMap<>();
        access.token().ifPresent(t -> env.putAll(t.clientEnvironment()));
        if (socketFile.isEmpty()) {
            access.tls().ifPresent(tls -> env.put(ClientSecurity.CA_FILE_ENV,
                    tls.certificateChain().toAbsolutePath().toString()));
        }
        return Map.copyOf(env);
    }

    /** TCP connections closed on accept because {@code maxConnections} were open. */
    public long refusedConnections() {
        return refusedConnections.get();
    }

    /** Calls refused with UNAUTHENTICATED (no token, or another) on any listener. */
    public long unauthenticatedCalls() {
        return tokenCheck.map(TokenCheck::refused).orElse(0L);
    }

    /** TCP connections open now. */
    public int openConnections() {
        return maxConnections - openConnections.availablePermits();
    }

    /** Stops accepting calls, lets running ones finish for a moment, then cancels the rest. */
    @Override
    public void close() {
        if (closed.getAndIncrement() > 0) {
            return;
        }
        for (Server server : servers) {
            server.shutdown();
        }
        try {
            long deadline = System.nanoTime() + drain.toNanos();
            for (Server server : servers) {
                if (!server.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    server.shutdownNow();
                    server.awaitTermination(1, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            for (Server server : servers) {
                server.shutdownNow();
            }
            Thread.currentThread().interrupt();
        } finally {
            socketFile.ifPresent(UnixSocketFile::remove);
            for (EventLoopGroup group : loops) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            executor.shutdownNow();
        }
    }
}
