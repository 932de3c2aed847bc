package io.virta.grpc.server;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may use a gRPC endpoint (the control API, the event hub): a {@link ServerToken} every call must
 * carry, TLS from certificate files, an extra Unix-domain socket guarded by its file mode, and whether
 * listening beyond loopback without a token is allowed. {@link #LOOPBACK_ONLY}, the default, has none of
 * them: a TCP listener on a loopback address, open to every local process, and refused anywhere else.
 *
 * @param token                the token required on every call, on every listener
 * @param tls                  certificate chain and private key (PEM, PKCS#8) for the TCP listener
 * @param unixSocket           an additional listener on a Unix-domain socket
 * @param allowUnauthenticated listen beyond loopback without a token (for a network that is trusted)
 */
public record EndpointAccess(Optional<ServerToken> token, Optional<TlsFiles> tls, Optional<UnixSocket> unixSocket,
        boolean allowUnauthenticated) {
    public static final EndpointAccess LOOPBACK_ONLY = new EndpointAccess(Optional.empty(), Optional.empty(),
            Optional.empty(), false);

    public EndpointAccess {
        Objects.requireNonNull(token);
        Objects.requireNonNull(tls);
        Objects.requireNonNull(unixSocket);
    }

    public EndpointAccess withToken(ServerToken token) {
        return new EndpointAccess(Optional.of(token), tls, unixSocket, allowUnauthenticated);
    }

    public EndpointAccess withTls(TlsFiles tls) {
        return new EndpointAccess(token, Optional.of(tls), unixSocket, allowUnauthenticated);
    }

    public EndpointAccess withUnixSocket(UnixSocket socket) {
        return new EndpointAccess(token, tls, Optional.of(socket), allowUnauthenticated);
    }

    public EndpointAccess allowingUnauthenticated(boolean allow) {
        return new EndpointAccess(token, tls, unixSocket, allow);
    }

    /** PEM files for TLS: the server's certificate chain and its PKCS#8 private key ("BEGIN PRIVATE KEY"). */
    public record TlsFiles(Path certificateChain, Path privateKey) {
        public TlsFiles {
            Objects.requireNonNull(certificateChain);
            Objects.requireNonNull(privateKey);
        }
    }

    /**
     * A Unix-domain socket at {@code path}: mode 0600 (owner only), or 0660 with the socket's group
     * set to {@code group} when one is given.
     */
    public record UnixSocket(Path path, Optional<String> group) {
        public UnixSocket {
            Objects.requireNonNull(path);
            Objects.requireNonNull(group);
        }
    }
}
