package io.virta.grpc.server;

import java.net.InetSocketAddress;

/** Parses the {@code HOST:PORT} of a {@code listen:} setting (IPv6 hosts in brackets), without resolving the host. */
public final class ListenAddress {
    private ListenAddress() {}

    /** Throws IllegalArgumentException with a hint when {@code text} is not HOST:PORT. */
    public static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon).trim() : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = -1;
        try {
            port = Integer.parseInt(text.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
            // reported below
        }
        if (host.isEmpty() || port < 0 || port > 65535 || host.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT; write e.g. 127.0.0.1:50051"
                    + " (port 0 picks a free one)");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }
}
