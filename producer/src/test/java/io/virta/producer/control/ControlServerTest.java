package io.virta.producer.control;

import io.virta.producer.config.ConfigException;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.daemon.Producer;
import io.virta.producer.source.StreamEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Where the control server listens, and what happens when it cannot. No cameras involved. */
@Timeout(30)
class ControlServerTest {
    private static Producer producer;

    @BeforeAll
    static void start() throws ConfigException {
        producer = new Producer(ProducerConfig.parse("cameras: []", "test"), StreamEvents.NONE);
    }

    @AfterAll
    static void stop() {
        producer.close();
    }

    @Test
    void bindsLoopbackOnlyByDefault() throws Exception {
        ProducerConfig defaults = ProducerConfig.parse("cameras: []", "test");
        assertEquals("127.0.0.1:50051", defaults.controlListen());
        // The default host with a free port: 50051 itself may be taken on a shared machine.
        String host = ProducerConfig.listenAddress(defaults.controlListen()).getHostString();
        try (ControlServer server = ControlServer.start(host + ":0", producer)) {
            assertEquals(InetAddress.getByName("127.0.0.1"), server.address().getAddress());
            assertTrue(server.port() > 0);
            assertEquals("127.0.0.1:" + server.port(), server.target());
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                assertTrue(s.isConnected());
            }
            // From any other address of this host the port is closed.
            for (InetAddress other : nonLoopbackAddresses()) {
                assertThrows(IOException.class, () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(other, server.port()), 2000);
                    }
                }, "reachable on " + other);
            }
        }
    }

    @Test
    void aTakenPortIsAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            IOException e = assertThrows(IOException.class,
                    () -> ControlServer.start("127.0.0.1:" + taken.getLocalPort(), producer));
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort())
                    && e.getMessage().contains("control.listen"), e.getMessage());
        }
    }

    @Test
    void aBadListenAddressIsAConfigurationError() {
        for (String bad : List.of("50051", "localhost:http", "127.0.0.1:70000", ":50051")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ProducerConfig.parse("control: { listen: \"" + bad + "\" }", "cameras.yaml"), bad);
            assertTrue(e.getMessage().startsWith("cameras.yaml: control.listen: '" + bad + "'"), e.getMessage());
        }
        assertEquals(0, ProducerConfig.listenAddress("[::1]:0").getPort());
        assertEquals("::1", ProducerConfig.listenAddress("[::1]:0").getHostString());
    }

    private static List<InetAddress> nonLoopbackAddresses() throws IOException {
        return NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (IOException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> !a.isLinkLocalAddress()).toList();
    }
}
