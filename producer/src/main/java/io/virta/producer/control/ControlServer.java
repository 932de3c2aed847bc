package io.virta.producer.control;

import io.grpc.BindableService;
import io.virta.producer.config.ControlConfig;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.daemon.Producer;
import io.virta.grpc.server.ConnectionLimits;
import io.virta.grpc.server.EndpointAccess;
import io.virta.grpc.server.GrpcEndpoint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

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
    public static final int MAX_REQUEST_BYTES = GrpcEndpoint.MAX_REQUEST_BYTES;
    /** Few calls per connection: control calls are rare, and a slow StopStream must not pile up threads. */
    private static final GrpcEndpoint.Settings SETTINGS = new GrpcEndpoint.Settings("control API", "control.listen",
            "set control.listen in the configuration to a free HOST:PORT", "virta-control-", 16, Duration.ofSeconds(2),
            new GrpcEndpoint.AccessNames("control.tokenFile", "control.allowUnauthenticated: true", "control.tls",
                    "control.unixSocket"));

    private final GrpcEndpoint endpoint;

    private ControlServer(GrpcEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * Binds {@code listen} ({@code HOST:PORT}) and starts serving the control API, and {@code alongside}
     * on the same port (the producer puts its event hub there).
     *
     * @throws IOException saying which address could not be bound and what to do
     */
    public static ControlServer start(String listen, Producer producer, BindableService... alongside)
            throws IOException {
        return start(new ControlConfig(listen, EndpointAccess.LOOPBACK_ONLY, ConnectionLimits.DEFAULTS), producer,
                alongside);
    }

    /**
     * Serves the control API as {@code control} says (listen address, token, TLS, Unix socket, limits),
     * and {@code alongside} on the same listeners.
     *
     * @throws IOException naming the setting that is unusable and what to do
     */
    public static ControlServer start(ControlConfig control, Producer producer, BindableService... alongside)
            throws IOException {
        BindableService[] services = new BindableService[alongside.length + 1];
        services[0] = new ControlService(producer);
        System.arraycopy(alongside, 0, services, 1, alongside.length);
        return new ControlServer(GrpcEndpoint.start(control.listen(), control.access(), control.limits(), SETTINGS,
                services));
    }

    /** The endpoint itself: its Unix socket, its counters. */
    public GrpcEndpoint endpoint() {
        return endpoint;
    }

    /** Where supervised workers connect: the Unix socket if there is one, else {@link #target()}. */
    public String localTarget() {
        return endpoint.localTarget();
    }

    /** The token (and CA) for supervised workers' environment; see {@link GrpcEndpoint#clientEnvironment()}. */
    public Map<String, String> clientEnvironment() {
        return endpoint.clientEnvironment();
    }

    /** The address bound, with the actual port. */
    public InetSocketAddress address() {
        return endpoint.address();
    }

    public int port() {
        return endpoint.port();
    }

    /** {@code HOST:PORT} for a client's channel, e.g. {@code ManagedChannelBuilder.forTarget(target())}. */
    public String target() {
        return endpoint.target();
    }

    /** Stops accepting calls, lets running ones finish for a moment, then cancels the rest. */
    @Override
    public void close() {
        endpoint.close();
    }
}
