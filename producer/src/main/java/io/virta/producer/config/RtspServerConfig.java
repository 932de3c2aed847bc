package io.virta.producer.config;

import io.virta.producer.rtsp.auth.Credentials;

import java.util.List;

/**
 * {@code rtspServer:} in the YAML: the producer re-serves every camera as
 * {@code rtsp://<listen>/<camera>} without re-encoding. Off unless the section is present, because
 * it opens a port that hands out video; when on, it listens on loopback unless told otherwise.
 * See docs/producer.md.
 */
public record RtspServerConfig(boolean enabled, String listen, Authentication authentication, List<Credentials> users) {
    public static final String DEFAULT_LISTEN = "127.0.0.1:8554";
    public static final RtspServerConfig OFF = new RtspServerConfig(false, DEFAULT_LISTEN, Authentication.NONE, List.of());

    /** How clients prove who they are; with {@link #NONE} anyone who reaches the port may play. */
    public enum Authentication {
        NONE, BASIC, DIGEST
    }
}
