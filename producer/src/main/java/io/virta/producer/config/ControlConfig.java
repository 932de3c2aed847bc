package io.virta.producer.config;

import io.virta.grpc.server.ConnectionLimits;
import io.virta.grpc.server.EndpointAccess;

/**
 * {@code control:}: where the control API and the event hub listen and who may use them.
 *
 * @param listen {@code HOST:PORT} of the TCP listener (default {@value ProducerConfig#DEFAULT_CONTROL_LISTEN})
 * @param access token, TLS, Unix socket, allowUnauthenticated
 * @param limits connection cap and idle time
 */
public record ControlConfig(String listen, EndpointAccess access, ConnectionLimits limits) {
    public static final ControlConfig DEFAULTS = new ControlConfig(ProducerConfig.DEFAULT_CONTROL_LISTEN,
            EndpointAccess.LOOPBACK_ONLY, ConnectionLimits.DEFAULTS);
}
