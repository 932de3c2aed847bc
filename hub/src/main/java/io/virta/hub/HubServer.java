package io.virta.hub;

import io.grpc.BindableService;
import io.virta.grpc.server.ConnectionLimits;
import io.virta.grpc.server.EndpointAccess;
import io.virta.grpc.server.GrpcEndpoint;

import java.io.IOException;
import java.time.Duration;

/**
 * A gRPC server with only the event hub on it: {@code virta hub}. Inside the producer the hub shares
 * the control API's server instead ({@code ControlServer.start(listen, producer, new EventHubService(hub))}).
 * Same limits as the control API: requests up to 1 MiB (larger: RESOURCE_EXHAUSTED).
 */
public final class HubServer implements AutoCloseable {
    public static final String DEFAULT_LISTEN = "127.0.0.1:50052";
    public static final int MAX_REQUEST_BYTES = GrpcEndpoint.MAX_REQUEST_BYTES;
    private static final GrpcEndpoint.Settings SETTINGS = new GrpcEndpoint.Settings("event hub", "--listen",
            "give --listen a free HOST:PORT", "virta-hub-grpc-", 64, Duration.ofSeconds(1),
            new GrpcEndpoint.AccessNames("--token-file", "--allow-unauthenticated", "--tls-cert/--tls-key",
                    "--unix-socket"));

    private final GrpcEndpoint endpoint;

    private HubServer(GrpcEndpoint endpoint) {
        this.endpoint = endpoint;
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
        return new HubServer(GrpcEndpoint.start(listen, SETTINGS, services));
    }

    /** Serves {@code hub} on {@code listen} with {@code access} (token, TLS, Unix socket) and {@code limits}. */
    public static HubServer start(String listen, EndpointAccess access, ConnectionLimits limits, EventHub hub)
            throws IOException {
        return new HubServer(GrpcEndpoint.start(listen, access, limits, SETTINGS, new EventHubService(hub)));
    }

    /** The endpoint itself: its Unix socket, its counters. */
    public GrpcEndpoint endpoint() {
        return endpoint;
    }

    public int port() {
        return endpoint.port();
    }

    /** {@code HOST:PORT} as bound, with the actual port. */
    public String target() {
        return endpoint.target();
    }

    /** Stops accepting calls, lets running ones finish for a moment, then cancels the rest. */
    @Override
    public void close() {
        endpoint.close();
    }
}
