package io.virta.grpc;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The address of a Virta gRPC endpoint given on a command line or in code ({@code --control},
 * {@code --hub}): {@code HOST:PORT}, or {@code unix:/path/to/socket} for the endpoint's Unix-domain
 * socket; checked up front so that a typo fails with the option's name rather than as a connection error
 * later. It also carries the {@link ClientSecurity} (token, CA file) to connect with: unless one is given
 * with {@link #with}, the process's environment's ({@link ClientSecurity#fromEnvironment()}), read when a
 * channel is opened. Immutable; open a channel with {@link GrpcChannels#open(GrpcTarget)}.
 *
 * <pre>{@code
 * GrpcTarget control = GrpcTarget.parse("unix:/run/virta/control.sock", "--control");
 * ManagedChannel channel = GrpcChannels.open(control);
 * }</pre>
 */
public final class GrpcTarget {
    /** The prefix of a Unix-domain socket target, as gRPC spells it. */
    public static final String UNIX_PREFIX = "unix:";

    private final String host;
    private final int port;
    private final Path socket;
    private final ClientSecurity security;

    private GrpcTarget(String host, int port, Path socket, ClientSecurity security) {
        this.host = host;
        this.port = port;
        this.socket = socket;
        this.security = security;
    }

    /** {@code host:port} over TCP. */
    public GrpcTarget(String host, int port) {
        this(checkHost(host), checkPort(port), null, null);
    }

    /** The Unix-domain socket at {@code socket}. */
    public static GrpcTarget unix(Path socket) {
        if (socket == null || socket.toString().isEmpty()) {
            throw new IllegalArgumentException("the socket path is empty");
        }
        return new GrpcTarget(null, 0, socket.toAbsolutePath(), null);
    }

    /**
     * Parses {@code HOST:PORT} ({@code [v6]:PORT} for IPv6) or {@code unix:PATH} ({@code unix:///PATH}
     * also). {@code option} names the setting in errors, e.g. "--control".
     */
    public static GrpcTarget parse(String text, String option) {
        if (text != null && text.startsWith(UNIX_PREFIX)) {
            String path = text.substring(UNIX_PREFIX.length());
            if (path.startsWith("//")) {
                path = path.substring(2);
            }
            if (path.isEmpty()) {
                throw new IllegalArgumentException(option + ": '" + text + "' names no socket file (e.g."
                        + " unix:/run/virta/control.sock)");
            }
            return unix(Path.of(path));
        }
        return parseHostPort(text, option);
    }

    /** Parses {@code HOST:PORT} only ({@code [v6]:PORT} for IPv6); {@code option} names the setting in errors. */
    public static GrpcTarget parseHostPort(String text, String option) {
        if (text == null) {
            throw new IllegalArgumentException(option + ": an address HOST:PORT is required");
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not HOST:PORT (e.g. 127.0.0.1:50051)");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' has no port number after the ':'");
        }
        try {
            return new GrpcTarget(host, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": '" + text + "': " + e.getMessage());
        }
    }

    private static String checkHost(String host) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        }
        return host;
    }

    private static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
        return port;
    }

    /** The same address, connecting with {@code security} instead of the environment's. */
    public GrpcTarget with(ClientSecurity security) {
        return new GrpcTarget(host, port, socket, Objects.requireNonNull(security));
    }

    /** The security given with {@link #with}, else the environment's (read now). */
    public ClientSecurity security() {
        return security != null ? security : ClientSecurity.fromEnvironment();
    }

    /** The Unix-domain socket file, for a {@code unix:} target. */
    public Optional<Path> socket() {
        return Optional.ofNullable(socket);
    }

    /** The host of a TCP target. */
    public String host() {
        if (socket != null) {
            throw new IllegalStateException(target() + " is a Unix-domain socket, it has no host");
        }
        return host;
    }

    /** The port of a TCP target. */
    public int port() {
        if (socket != null) {
            throw new IllegalStateException(target() + " is a Unix-domain socket, it has no port");
        }
        return port;
    }

    /** The target string gRPC's channel builders take: {@code HOST:PORT} or {@code unix:PATH}. */
    public String target() {
        if (socket != null) {
            return UNIX_PREFIX + socket;
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GrpcTarget t && t.target().equals(target()) && Objects.equals(t.security, security);
    }

    @Override
    public int hashCode() {
        return target().hashCode();
    }

    @Override
    public String toString() {
        return target();
    }
}
