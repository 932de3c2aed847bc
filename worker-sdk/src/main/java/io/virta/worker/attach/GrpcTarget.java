package io.virta.worker.attach;

/**
 * A {@code HOST:PORT} gRPC address given on a command line or in code ({@code --control}, {@code --hub}),
 * checked up front so that a typo fails with the option's name rather than as a connection error later.
 */
public record GrpcTarget(String host, int port) {
    public GrpcTarget {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
    }

    /**
     * Parses {@code HOST:PORT} ({@code [v6]:PORT} for IPv6). {@code option} names the setting in errors,
     * e.g. "--control".
     */
    public static GrpcTarget parse(String text, String option) {
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

    /** The target string gRPC's channel builders take. */
    public String target() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return target();
    }
}
