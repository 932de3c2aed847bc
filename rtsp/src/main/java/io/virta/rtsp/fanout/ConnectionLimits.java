package io.virta.rtsp.fanout;

import java.time.Duration;

/**
 * How much of a server its TCP clients may hold: at most {@code maxConnections} open at once (the
 * next is closed as soon as it is accepted, and counted), and a connection that completes no request
 * for {@code requestTimeout} is closed (and counted). What "completes a request" means, and when a
 * connection may stay silent longer (a playing RTSP session, an upgraded WebSocket), the server's
 * protocol decides through its {@link IdleGuard}.
 *
 * @param maxConnections  at least 1
 * @param requestTimeout  positive: the longest a connection may take to send a whole request, from
 *                        connecting or from its previous request
 */
public record ConnectionLimits(int maxConnections, Duration requestTimeout) {
    /** Enough for a site's viewers and players; far below what would exhaust file descriptors or memory. */
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    /** Generous for a person typing a request by hand; short enough that idle sockets do not pile up. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(20);
    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT);

    public ConnectionLimits {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, not " + maxConnections);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, not " + requestTimeout);
        }
    }
}
