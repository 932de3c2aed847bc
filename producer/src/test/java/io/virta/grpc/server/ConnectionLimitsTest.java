package io.virta.grpc.server;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.virta.hub.EventHub;
import io.virta.hub.HubServer;
import io.virta.hub.validate.CameraDirectory;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.QueryRequest;
import io.virta.grpc.ClientSecurity;
import io.virta.grpc.GrpcChannels;
import io.virta.grpc.GrpcTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connection caps and timeouts of the gRPC endpoints, against the real event hub server: many raw TCP
 * connections that never speak HTTP/2 (an attacker's, or a stuck client's) are not all held, those held
 * are closed after the handshake timeout, and a real client's idle connection is closed after
 * {@code maxConnectionIdle} while the client reconnects by itself.
 */
@Timeout(90)
class ConnectionLimitsTest {
    @TempDir
    Path dir;

    private EventHub hub;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void openHub() throws Exception {
        hub = EventHub.open(EventHub.Options.of(dir.resolve("journal"), CameraDirectory.anyValidName()));
    }

    @AfterEach
    void close() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        hub.close();
    }

    @Test
    void theDefaultCapRefusesConnectionsBeyondItEvenARealClients() throws Exception {
        int cap = ConnectionLimits.DEFAULT_MAX_CONNECTIONS;
        int extra = 44;
        // A handshake timeout far beyond the test's length: no held connection is let go while it counts.
        ConnectionLimits limits = ConnectionLimits.DEFAULTS.withHandshakeTimeout(Duration.ofMinutes(5));
        try (HubServer server = HubServer.start("127.0.0.1:0", EndpointAccess.LOOPBACK_ONLY, limits, hub)) {
            GrpcEndpoint endpoint = server.endpoint();
            for (int i = 0; i < cap + extra; i++) {
                sockets.add(new Socket("127.0.0.1", server.port()));
            }
            awaitTrue(() -> endpoint.openConnections() + endpoint.refusedConnections() == cap + extra,
                    () -> "accepted " + endpoint.openConnections() + ", refused " + endpoint.refusedConnections());
            assertEquals(cap, endpoint.openConnections());
            assertEquals(extra, endpoint.refusedConnections());
            int closedByServer = 0;
            for (Socket s : sockets) {
                if (closedAtOnce(s)) {
                    closedByServer++;
                }
            }
            assertEquals(extra, closedByServer, "the connections beyond the cap are closed at once");
            ManagedChannel channel = GrpcChannels.open(GrpcTarget.parse(server.target(), "test").with(ClientSecurity.NONE));
            try {
                StatusRuntimeException full = assertThrows(StatusRuntimeException.class, () -> query(channel, false));
                assertEquals(Status.Code.UNAVAILABLE, full.getStatus().getCode(), full.getMessage());
                assertTrue(endpoint.refusedConnections() > extra, "the real client was refused too");
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void connectionsThatNeverHandshakeAndIdleClientsAreClosed() throws Exception {
        ConnectionLimits limits = ConnectionLimits.DEFAULTS.withMaxConnections(8)
                .withHandshakeTimeout(Duration.ofSeconds(2)).withMaxConnectionIdle(Duration.ofSeconds(1));
        try (HubServer server = HubServer.start("127.0.0.1:0", EndpointAccess.LOOPBACK_ONLY, limits, hub)) {
            GrpcEndpoint endpoint = server.endpoint();
            for (int i = 0; i < 8; i++) {
                sockets.add(new Socket("127.0.0.1", server.port()));
            }
            ManagedChannel channel = GrpcChannels.open(GrpcTarget.parse(server.target(), "test").with(ClientSecurity.NONE));
            try {
                // The handshake timeout closes the connections that never spoke HTTP/2 ...
                for (Socket s : sockets) {
                    s.setSoTimeout(30_000);
                    drainUntilClosed(s.getInputStream());
                }
                awaitTrue(() -> endpoint.openConnections() == 0, () -> "open: " + endpoint.openConnections());
                // ... which leaves room for real clients.
                query(channel, true);
                // A real client's connection without calls is closed after maxConnectionIdle (GOAWAY) ...
                awaitTrue(() -> endpoint.openConnections() == 0, () -> "open: " + endpoint.openConnections());
                // ... and the client reconnects by itself for its next call.
                query(channel, false);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static void query(ManagedChannel channel, boolean waitForReady) {
        var stub = EventHubGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        (waitForReady ? stub.withWaitForReady() : stub)
                .query(QueryRequest.getDefaultInstance()).forEachRemaining(e -> { });
    }

    /** Whether the server closed {@code s} without a word: end of stream (or reset) within 2 s. */
    private static boolean closedAtOnce(Socket s) throws IOException {
        s.setSoTimeout(2_000);
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Reads what the server sends (its HTTP/2 settings) until it closes the connection. */
    private static void drainUntilClosed(InputStream in) throws IOException {
        byte[] buffer = new byte[1024];
        try {
            while (in.read(buffer) >= 0) {
                // the server's preface; the end comes when it closes
            }
        } catch (SocketException reset) {
            // closed by the server with a reset: closed all the same
        }
    }

    private static void awaitTrue(BooleanSupplier condition, java.util.function.Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "timed out; " + state.get());
            Thread.sleep(10);
        }
    }
}
