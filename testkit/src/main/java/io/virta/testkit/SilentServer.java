package io.virta.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on 127.0.0.1 that accepts connections and never says a word: the peer for
 * "the camera accepts the connection and then hangs" timeout tests. What clients send is read
 * and thrown away, so a client never blocks on a full socket buffer and times out for the right
 * reason.
 *
 * <p>{@link #unreachablePort()} gives the opposite: a port where nothing listens, so connecting
 * is refused at once.
 */
public final class SilentServer implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> connections = new ArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    public SilentServer() {
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
        acceptor = Thread.ofVirtual().name("silent-server-" + listener.getLocalPort()).start(this::acceptForever);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** {@code rtsp://127.0.0.1:<port><path>}. */
    public String url(String path) {
        return "rtsp://127.0.0.1:" + port() + (path.startsWith("/") ? path : "/" + path);
    }

    /** How many connections have been accepted so far. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /**
     * A port on 127.0.0.1 where nothing listens: one the kernel just handed out, then closed.
     * Another process could take it in between, which is unlikely within one test.
     */
    public static int unreachablePort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }

    /** {@code rtsp://127.0.0.1:<unreachable port><path>}. */
    public static String unreachableUrl(String path) {
        return "rtsp://127.0.0.1:" + unreachablePort() + (path.startsWith("/") ? path : "/" + path);
    }

    /** The address of {@link #unreachablePort()}. */
    public static InetSocketAddress unreachableAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), unreachablePort());
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing is best effort.
        }
        synchronized (connections) {
            for (Socket connection : connections) {
                try {
                    connection.close();
                } catch (IOException ignored) {
                    // Closing is best effort.
                }
            }
            connections.clear();
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptForever() {
        while (!listener.isClosed()) {
            try {
                Socket connection = listener.accept();
                synchronized (connections) {
                    if (listener.isClosed()) {
                        connection.close();
                        return;
                    }
                    connections.add(connection);
                }
                accepted.incrementAndGet();
                Thread.ofVirtual().start(() -> discardInput(connection));
            } catch (IOException e) {
                return; // the listener was closed
            }
        }
    }

    private static void discardInput(Socket connection) {
        byte[] sink = new byte[4096];
        try (var in = connection.getInputStream()) {
            while (in.read(sink) >= 0) {
                // Never answer.
            }
        } catch (IOException ignored) {
            // The client or close() ended the connection.
        }
    }
}
