package io.virta.rtsp.server;

import io.netty.channel.nio.NioEventLoopGroup;
import io.virta.rtsp.fanout.ConnectionLimits;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import io.virta.testkit.RawSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.virta.testkit.RawSockets.await;
import static io.virta.testkit.RawSockets.closedByServer;
import static io.virta.testkit.RawSockets.closedByServerWithin;

/**
 * The RTSP server's connection cap and timeouts against raw idle sockets, raw clients that play and
 * then fall silent, and ffmpeg, which keeps its sessions alive as RTSP asks (RTCP and GET_PARAMETER
 * within the advertised session timeout) and must keep playing past it.
 */
@Timeout(90)
class RtspConnectionLimitsTest {
    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final RawSockets sockets = new RawSockets();
    private RtspServer server;
    private Thread feeder;
    private volatile boolean feeding = true;

    private RtspServer start(ConnectionLimits limits, Duration sessionTimeout) throws Exception {
        MediaMount mount = new MediaMount("cam", VideoCodec.H264);
        server = new RtspServer(group).limits(limits).sessionTimeout(sessionTimeout).mount(mount).bind("127.0.0.1", 0);
        List<byte[]> units = RtspServerTest.accessUnits(RtspServerTest.clip());
        feeder = Thread.ofPlatform().daemon().name("test-feeder").start(() -> {
            AccessUnit unit = AccessUnit.allocate(1 << 20);
            for (long frame = 0; feeding; frame++) {
                byte[] bytes = units.get((int) (frame % units.size()));
                unit.data().clear();
                unit.data().put(bytes).flip();
                unit.rtpTimestamp(frame * 3600).keyframe(RtspServerTest.isKeyframe(unit.data(), bytes.length));
                mount.publish(unit);
                java.util.concurrent.locks.LockSupport.parkNanos(40_000_000);
            }
        });
        return server;
    }

    @AfterEach
    void stop() throws Exception {
        feeding = false;
        if (feeder != null) {
            feeder.join();
        }
        sockets.close();
        if (server != null) {
            server.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private Socket connect() throws IOException {
        return sockets.connect(server.port());
    }

    @Test
    void theDefaultCapHolds256IdleConnectionsAndClosesTheRest() throws Exception {
        start(ConnectionLimits.DEFAULTS, RtspServer.DEFAULT_SESSION_TIMEOUT);
        int max = ConnectionLimits.DEFAULT_MAX_CONNECTIONS;
        for (int i = 0; i < max + 44; i++) {
            connect();
        }
        await(() -> server.connections().open() + server.connections().refused() == max + 44, "every connection accepted");
        assertEquals(max, server.connections().open());
        assertEquals(44, server.connections().refused());
        int closed = 0;
        for (Socket s : sockets.all()) {
            closed += closedByServer(s) ? 1 : 0;
        }
        assertEquals(44, closed, "the connections beyond the cap are closed, the others held");
        sockets.close();
        await(() -> server.connections().open() == 0, "the closed connections to be forgotten");
        assertTrue(ffmpegPackets("tcp", 2) > 25, "a real client plays once connections are free");
    }

    @Test
    void connectionsThatSendNoWholeRequestAreClosedAndThoseThatDoAreKept() throws Exception {
        start(new ConnectionLimits(256, Duration.ofSeconds(2)), RtspServer.DEFAULT_SESSION_TIMEOUT);
        List<Socket> silent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            silent.add(connect());
        }
        Socket dribbler = connect();
        dribbler.getOutputStream().write("OPTIONS rtsp://x/cam RTSP/1.0\r\nCSeq: 1\r\n".getBytes(StandardCharsets.US_ASCII));
        Socket talker = connect();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long longestGap = 0;
        long last = System.nanoTime();
        for (int cseq = 1; System.nanoTime() < until; cseq++) {
            longestGap = Math.max(longestGap, System.nanoTime() - last);
            last = System.nanoTime();
            // A request every 200 ms: a 2 s timeout is renewed ten times over.
            talker.getOutputStream().write(("OPTIONS " + server.url("cam") + " RTSP/1.0\r\nCSeq: " + cseq + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            try {
                dribbler.getOutputStream().write('X');
            } catch (IOException closed) {
                // the server closed it already: what the test expects
            }
            Thread.sleep(200);
        }
        await(() -> server.connections().closedIdle() >= 21, "the silent connections and the dribbler closed");
        for (Socket s : silent) {
            assertTrue(closedByServerWithin(s, Duration.ofSeconds(5)), "a silent connection is closed");
        }
        assertTrue(closedByServerWithin(dribbler, Duration.ofSeconds(5)),
                "bytes that never make a request do not keep a connection");
        if (longestGap < TimeUnit.SECONDS.toNanos(2)) {
            // (A machine so loaded that this thread stalled 2 s between requests leaves this unproven.)
            assertEquals(1, server.connections().open(), "the connection that sent requests is kept");
            assertTrue(!closedByServer(talker), "the talker is still open");
        }
    }

    @Test
    void aPlayingClientThatFallsSilentIsClosedAfterTheSessionTimeoutOverTcpAndUdp() throws Exception {
        start(new ConnectionLimits(256, Duration.ofSeconds(1)), Duration.ofSeconds(2));
        Socket tcp = new Socket();
        Socket udp = new Socket();
        try (tcp; udp) {
            // The server renews a connection at each request, so neither can be closed before this plus 2 s.
            long playing = System.nanoTime();
            RawRtspClient.play(tcp, server, "cam");
            try (DatagramSocket rtp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                String setup = RawRtspClient.setup(udp, server, "cam", "RTP/AVP;unicast;client_port=" + rtp.getLocalPort()
                        + "-" + (rtp.getLocalPort() + 1));
                assertTrue(setup.contains("timeout=2"), setup);
                RawRtspClient.play(udp, server, "cam", RawRtspClient.header(setup, "Session"));
                // Longer than the request timeout, shorter than the session timeout: playing, they are kept.
                Thread.sleep(1500);
                long closed = server.connections().closedIdle();
                if (System.nanoTime() - playing < TimeUnit.SECONDS.toNanos(2)) {
                    // (A machine so loaded that 2 s went by leaves this part unproven, never failed.)
                    assertEquals(0, closed, "playing clients get the session timeout, not the request timeout");
                }
                await(() -> server.connections().closedIdle() == 2, "both silent players closed");
            }
            assertTrue(closedByServerWithin(tcp, Duration.ofSeconds(5)) && closedByServerWithin(udp, Duration.ofSeconds(5)));
        }
    }

    @Test
    void ffmpegKeepsPlayingPastTheSessionTimeoutOverTcpAndUdp() throws Exception {
        // ffmpeg renews at half the advertised timeout: 3 s leaves it a margin on a loaded machine.
        start(new ConnectionLimits(256, Duration.ofSeconds(1)), Duration.ofSeconds(3));
        for (String transport : new String[] {"tcp", "udp"}) {
            long packets = ffmpegPackets(transport, 5);
            // 25 fps for 5 s; a client closed at the 3 s timeout would have about 75.
            assertTrue(packets >= 100, transport + ": ffmpeg copied " + packets + " packets in 5 s");
        }
        assertEquals(0, server.connections().closedIdle(), "ffmpeg's keep-alives renewed its sessions");
    }

    /** Video packets ffmpeg copies from the server's mount in {@code seconds} of playing. */
    private long ffmpegPackets(String transport, int seconds) throws Exception {
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-rtsp_transport", transport, "-i", server.url("cam"),
                "-t", String.valueOf(seconds), "-c", "copy", "-f", "framecrc", "-").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ffmpeg finished");
        return out.lines().filter(l -> l.startsWith("0,")).count();
    }
}
