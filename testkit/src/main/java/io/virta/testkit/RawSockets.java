package io.virta.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Raw TCP connections to a server under test, as an idle or hostile client holds them: opened on
 * loopback, checked for whether the server closed them, and all closed at the end ({@link #close()}).
 * Not thread-safe: one test thread.
 */
public final class RawSockets implements AutoCloseable {
    private final List<Socket> sockets = new ArrayList<>();

    /** A new connection to {@code 127.0.0.1:port}, closed with the others. */
    public Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return socket;
    }

    /** Those opened so far. */
    public List<Socket> all() {
        return List.copyOf(sockets);
    }

    /**
     * Whether the server has closed {@code socket}: a read sees the end (or a reset) instead of
     * waiting. Whatever the server sent before is read and dropped; while data keeps coming (a closed
     * server's send buffer still draining) the reads wait up to half a second for more.
     */
    public static boolean closedByServer(Socket socket) throws IOException {
        socket.setSoTimeout(1);
        byte[] buffer = new byte[65536];
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                if (in.read(buffer) < 0) {
                    return true;
                }
                socket.setSoTimeout(500);
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Whether the server closes {@code socket} within {@code patience}: for a check that expects the close,
     * since the server may count a connection as closed a moment before its FIN reaches this end.
     */
    public static boolean closedByServerWithin(Socket socket, java.time.Duration patience)
            throws IOException, InterruptedException {
        long giveUp = System.nanoTime() + patience.toNanos();
        while (!closedByServer(socket)) {
            if (System.nanoTime() > giveUp) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after 30 s. */
    public static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > giveUp) {
                fail(what + " within 30 s");
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }
}
