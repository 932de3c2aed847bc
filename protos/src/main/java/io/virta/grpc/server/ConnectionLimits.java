package io.virta.grpc.server;

import java.time.Duration;

/**
 * How many connections a gRPC endpoint holds and for how long, so that a flood of idle connections
 * cannot pin its memory and file descriptors.
 *
 * @param maxConnections    TCP connections open at once; one more is closed as soon as it is accepted
 * @param maxConnectionIdle a connection without calls this long is sent GOAWAY and closed (clients
 *                          reconnect by themselves on their next call)
 * @param handshakeTimeout  a connection that has not completed its TLS and HTTP/2 handshake by then is closed
 * @param keepAliveTime     the server pings a connection that has been silent this long ...
 * @param keepAliveTimeout  ... and closes it when no answer comes within this
 */
public record ConnectionLimits(int maxConnections, Duration maxConnectionIdle, Duration handshakeTimeout,
        Duration keepAliveTime, Duration keepAliveTimeout) {
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    public static final Duration DEFAULT_MAX_CONNECTION_IDLE = Duration.ofMinutes(5);
    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(DEFAULT_MAX_CONNECTIONS,
            DEFAULT_MAX_CONNECTION_IDLE, Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofSeconds(20));

    public ConnectionLimits {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections " + maxConnections + " is not positive");
        }
        for (Duration d : new Duration[] {maxConnectionIdle, handshakeTimeout, keepAliveTime, keepAliveTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("a connection time limit must be positive, not " + d);
            }
        }
    }

    public ConnectionLimits withMaxConnections(int max) {
        return new ConnectionLimits(max, maxConnectionIdle, handshakeTimeout, keepAliveTime, keepAliveTimeout);
    }

    public ConnectionLimits withMaxConnectionIdle(Duration idle) {
        return new ConnectionLimits(maxConnections, idle, handshakeTimeout, keepAliveTime, keepAliveTimeout);
    }

    public ConnectionLimits withHandshakeTimeout(Duration timeout) {
        return new ConnectionLimits(maxConnections, maxConnectionIdle, timeout, keepAliveTime, keepAliveTimeout);
    }
}
