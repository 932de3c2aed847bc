package io.virta.producer.config;

import io.virta.grpc.server.ConnectionLimits;
import io.virta.grpc.server.EndpointAccess;
import io.virta.grpc.server.ServerToken;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Reads {@code control:} (docs/producer.md, docs/security.md); every error names the setting. */
final class ControlSettings {
    private ControlSettings() {
    }

    static ControlConfig parse(YamlNode control) throws ConfigException {
        control.allowOnly("listen", "token", "tokenFile", "allowUnauthenticated", "tls", "unixSocket",
                "maxConnections", "idleSeconds");
        YamlNode listenNode = control.get("listen");
        String listen = listenNode.string(ProducerConfig.DEFAULT_CONTROL_LISTEN);
        try {
            ProducerConfig.listenAddress(listen);
        } catch (IllegalArgumentException e) {
            throw listenNode.error(e.getMessage());
        }
        EndpointAccess access = EndpointAccess.LOOPBACK_ONLY
                .allowingUnauthenticated(control.get("allowUnauthenticated").bool(false));
        YamlNode tokenNode = control.get("token");
        YamlNode tokenFileNode = control.get("tokenFile");
        if (!tokenNode.isMissing() && !tokenFileNode.isMissing()) {
            throw tokenNode.error("give either token: or tokenFile:, not both (tokenFile: keeps the secret out of"
                    + " this file)");
        }
        try {
            if (!tokenNode.isMissing()) {
                access = access.withToken(ServerToken.inline(tokenNode.requiredString(), tokenNode.path()));
            } else if (!tokenFileNode.isMissing()) {
                access = access.withToken(ServerToken.fromFile(path(tokenFileNode), tokenFileNode.path()));
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(control.file() + ": " + e.getMessage());
        }
        YamlNode tls = control.get("tls");
        if (!tls.isMissing()) {
            tls.allowOnly("certificate", "privateKey");
            access = access.withTls(new EndpointAccess.TlsFiles(readable(tls.get("certificate")),
                    readable(tls.get("privateKey"))));
        }
        YamlNode socket = control.get("unixSocket");
        if (!socket.isMissing()) {
            socket.allowOnly("path", "group");
            String group = socket.get("group").string(null);
            access = access.withUnixSocket(new EndpointAccess.UnixSocket(path(socket.get("path")),
                    Optional.ofNullable(group == null || group.isBlank() ? null : group.strip())));
        }
        ConnectionLimits limits = ConnectionLimits.DEFAULTS
                .withMaxConnections((int) control.get("maxConnections").integer(ConnectionLimits.DEFAULT_MAX_CONNECTIONS,
                        1, 100_000))
                .withMaxConnectionIdle(Duration.ofMillis((long) (control.get("idleSeconds")
                        .decimal(ConnectionLimits.DEFAULT_MAX_CONNECTION_IDLE.toSeconds(), 1, 86_400) * 1000)));
        return new ControlConfig(listen, access, limits);
    }

    private static Path path(YamlNode node) throws ConfigException {
        String text = node.requiredString();
        try {
            return Path.of(text.strip());
        } catch (InvalidPathException e) {
            throw node.error("'" + text + "' is not a file path: " + e.getReason());
        }
    }

    private static Path readable(YamlNode node) throws ConfigException {
        Path path = path(node);
        if (!Files.isReadable(path)) {
            throw node.error(path + " cannot be read; give the path of a PEM file this user may read");
        }
        return path;
    }
}
