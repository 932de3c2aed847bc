package io.virta.rtsp.server;

import io.netty.channel.nio.NioEventLoopGroup;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * UDP clients each get their own server port pair: every frame arrives from it, the SETUP replies
 * name different pairs, and a session's ports are given back at TEARDOWN and when its connection
 * closes (and not before). The clients are raw sockets ({@link RawRtspClient} plus the test's own
 * datagram sockets), so that the test sees the exact ports and packets; the server is the real one.
 */
class UdpClientsTest {
    private static final int CLIENTS = 3;
    private static final int UNITS = 60;
    /** A few RTP packets per frame, so that a frame is more than one datagram. */
    private static final int UNIT_BYTES = 4000;
    private static final Pattern SERVER_PORT = Pattern.compile("server_port=(\\d+)-(\\d+)");

    private NioEventLoopGroup group;
    private RtspServer server;
    private final MediaMount mount = new MediaMount("cam", VideoCodec.H264);
    private final List<Client> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        group = new NioEventLoopGroup(2);
        server = new RtspServer(group).mount(mount).bind("127.0.0.1", 0);
    }

    @AfterEach
    void stop() throws Exception {
        for (Client c : clients) {
            c.close();
        }
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void eachUdpClientGetsEveryFrameFromItsOwnPortsWhichCloseWithItsSession() throws Exception {
        Set<Integer> serverPorts = new HashSet<>();
        for (int i = 0; i < CLIENTS; i++) {
            Client c = new Client();
            clients.add(c);
            String setup = RawRtspClient.setup(c.control, server, "cam",
                    "RTP/AVP;unicast;client_port=" + c.rtp.getLocalPort() + "-" + c.rtcp.getLocalPort());
            Matcher ports = SERVER_PORT.matcher(setup);
            assertTrue(ports.find(), setup);
            c.serverRtpPort = Integer.parseInt(ports.group(1));
            assertEquals(0, c.serverRtpPort % 2, "RTP port is even: " + setup);
            assertEquals(c.serverRtpPort + 1, Integer.parseInt(ports.group(2)), "RTCP is the next port: " + setup);
            assertTrue(serverPorts.add(c.serverRtpPort), "each client its own pair: " + setup);
            c.session = RawRtspClient.header(setup, "Session");
            RawRtspClient.play(c.control, server, "cam", c.session);
            c.startCounting();
        }
        assertEquals(CLIENTS, mount.clients(), "clients playing");

        AccessUnit unit = StalledClientTest.keyframe(UNIT_BYTES);
        for (int i = 0; i < UNITS; i++) {
            unit.rtpTimestamp(i * 3600L);
            mount.publish(unit);
            Thread.sleep(2);
        }
        await(() -> clients.stream().allMatch(c -> c.frames.get() >= UNITS), "every client got every frame");
        for (Client c : clients) {
            assertEquals(UNITS, c.frames.get(), "frames from server port " + c.serverRtpPort);
            assertEquals(0, c.strangers.get(), "datagrams from another port than the client's own pair");
        }
        assertEquals(0, mount.framesDropped(), "frames dropped");

        Client tornDown = clients.get(0);
        Client hungUp = clients.get(1);
        Client stillPlaying = clients.get(2);
        RawRtspClient.teardown(tornDown.control, server, "cam", tornDown.session);
        hungUp.control.close();
        await(() -> portsFree(tornDown.serverRtpPort), "the torn-down session's ports closed");
        await(() -> portsFree(hungUp.serverRtpPort), "the hung-up session's ports closed");
        assertFalse(canBind(stillPlaying.serverRtpPort) || canBind(stillPlaying.serverRtpPort + 1),
                "a playing session keeps its ports");
        await(() -> mount.clients() == 1, "one client left playing");

        server.close();
        await(() -> portsFree(stillPlaying.serverRtpPort), "closing the server closes its sessions' ports");
    }

    private static boolean portsFree(int rtpPort) {
        return canBind(rtpPort) && canBind(rtpPort + 1);
    }

    private static boolean canBind(int port) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
            return true;
        } catch (SocketException e) {
            return false;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < giveUp, what + ": not within 10 s");
            Thread.sleep(20);
        }
    }

    /** One UDP client: its RTSP connection and its own RTP/RTCP sockets. */
    private static final class Client {
        final Socket control = new Socket();
        final DatagramSocket rtp;
        final DatagramSocket rtcp;
        final AtomicLong frames = new AtomicLong();
        final AtomicLong strangers = new AtomicLong();
        int serverRtpPort;
        String session;

        Client() throws IOException {
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            rtp = new DatagramSocket(new InetSocketAddress(loopback, 0));
            rtp.setReceiveBufferSize(4 << 20);
            rtcp = new DatagramSocket(new InetSocketAddress(loopback, 0));
        }

        /** Counts RTP packets with the marker bit (one per frame) until the socket closes. */
        void startCounting() {
            Thread.ofPlatform().daemon().name("udp-client-" + rtp.getLocalPort()).start(() -> {
                byte[] buffer = new byte[65536];
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    while (true) {
                        rtp.receive(packet);
                        if (packet.getPort() != serverRtpPort) {
                            strangers.incrementAndGet();
                        } else if ((buffer[1] & 0x80) != 0) {
                            frames.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    // the socket closed at the end of the test
                }
            });
        }

        void close() throws IOException {
            rtp.close();
            rtcp.close();
            control.close();
        }
    }
}
