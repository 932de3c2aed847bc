package io.virta.producer.config;

import io.virta.rtsp.server.RtspServer;

import io.virta.rtsp.fanout.ConnectionLimits;
import io.virta.rtsp.auth.Credentials;

import java.time.Duration;
import java.util.List;

/**
 * {@code rtspServer:} in the YAML: the producer re-serves every camera as
 * {@code rtsp://<listen>/<camera>} without re-encoding. Off unless the section is present, because
 * it opens a port that hands out video; when on, it listens on loopback unless told otherwise.
 * See docs/producer.md.
 *
 * @param limits         connections at once, and how long one that is not playing may take to send a request
 * @param sessionTimeout how long a playing client may stay silent (no request, no RTCP); advertised in SETUP
 */
public record RtspServerConfig(boolean enabled, String listen, Authentication authentication, List<Credentials> users,
        ConnectionLimits limits, Duration sessionTimeout) {
    public static final String DEFAULT_LISTEN = "127.0.0.1:8554";
    /** RFC 2326's suggestion, and what clients' keep-alive intervals are tuned to. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = RtspServer.DEFAULT_SESSION_TIMEOUT;
    public static final RtspServerConfig OFF = new RtspServerConfig(false, DEFAULT_LISTEN, Authentication.NONE, List.of(),
            ConnectionLimits.DEFAULTS, DEFAULT_SESSION_TIMEOUT);

    /** How clients prove who they are; with {@link #NONE} anyone who reaches the port may play. */
    public enum Authentication {
        NONE, BASIC, DIGEST
    }
}
