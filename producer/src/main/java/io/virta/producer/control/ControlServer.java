package io.virta.producer.control;

import io.grpc.BindableService;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.daemon.Producer;
import io.virta.producer.grpc.GrpcEndpoint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

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
            "set control.listen in the configuration to a free HOST:PORT", "virta-control-", 16, Duration.ofSeconds(2));

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
        BindableService[] services = new BindableService[alongside.length + 1];
        services[0] = new ControlService(producer);
        System.arraycopy(alongside, 0, services, 1, alongside.length);
        return new ControlServer(GrpcEndpoint.start(listen, SETTINGS, services));
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
