package io.virta.producer.rtsp.server;

import io.netty.channel.nio.NioEventLoopGroup;
import io.virta.producer.media.AccessUnit;
import io.virta.producer.media.VideoCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A TCP client that stops reading loses frames, counted by the mount, while a client beside it that
 * keeps reading gets every frame. Both clients are raw sockets speaking RTSP, so that one of them can
 * stall on purpose (no real player can be told to); the server is the real one on a real event loop.
 */
class StalledClientTest {
    /** Big enough that a few dozen fill the stalled client's socket buffers and the 2 MiB backlog. */
    private static final int UNIT_BYTES = 200_000;
    private static final int UNITS = 150;

    private NioEventLoopGroup group;
    private RtspServer server;
    private final MediaMount mount = new MediaMount("cam", VideoCodec.H264);

    @BeforeEach
    void start() throws Exception {
        group = new NioEventLoopGroup(1);
        server = new RtspServer(group).mount(mount).bind("127.0.0.1", 0);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void aStalledClientLosesFramesAndTheOtherGetsEveryOne() throws Exception {
        try (Socket stalled = new Socket(); Socket healthy = new Socket()) {
            stalled.setReceiveBufferSize(4096); // before connecting, so the TCP window stays small
            play(stalled);
            play(healthy);
            assertEquals(2, mount.clients(), "clients playing");
            AtomicLong healthyFrames = new AtomicLong();
            Thread reader = Thread.ofPlatform().daemon().name("healthy-client").start(() -> countFrames(healthy, healthyFrames));

            AccessUnit unit = keyframe();
            for (int i = 0; i < UNITS; i++) {
                unit.rtpTimestamp(i * 3600L);
                mount.publish(unit);
                Thread.sleep(5); // ~40 MB/s: loopback carries it to a reading client, not to a stalled one
            }

            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (healthyFrames.get() < UNITS && System.nanoTime() < giveUp) {
                Thread.sleep(20);
            }
            assertEquals(UNITS, healthyFrames.get(), "frames the reading client got");
            assertTrue(mount.framesDropped() > 0, "the stalled client lost frames");
            assertEquals(2L * UNITS, mount.framesSent() + mount.framesDropped(), "every frame was sent or dropped, per client");
            reader.interrupt();
        }
    }

    /** A frame of one SPS, one PPS and one big IDR slice (filler bytes hold no start code). */
    private static AccessUnit keyframe() {
        AccessUnit unit = AccessUnit.allocate(UNIT_BYTES + 64);
        var data = unit.data();
        data.clear();
        data.put(new byte[] {0, 0, 0, 1, 0x67, 0x42, 0x00, 0x1f, (byte) 0xac, 0x55});
        data.put(new byte[] {0, 0, 0, 1, 0x68, (byte) 0xce, 0x3c, (byte) 0x80});
        data.put(new byte[] {0, 0, 0, 1, 0x65});
        while (data.position() < UNIT_BYTES) {
            data.put((byte) 0x55);
        }
        data.flip();
        unit.keyframe(true);
        return unit;
    }

    /** SETUP over TCP-interleaved and PLAY on {@code socket}; returns once the server answered PLAY. */
    private void play(Socket socket) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
        socket.setSoTimeout(5000);
        String setup = request(socket, "SETUP " + server.url("cam") + "/track1 RTSP/1.0\r\nCSeq: 1\r\n"
                + "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n");
        Matcher session = Pattern.compile("Session: *([^;\\r]+)").matcher(setup);
        assertTrue(session.find(), setup);
        String play = request(socket, "PLAY " + server.url("cam") + " RTSP/1.0\r\nCSeq: 2\r\nSession: " + session.group(1)
                + "\r\n\r\n");
        assertTrue(play.startsWith("RTSP/1.0 200"), play);
    }

    /** Sends one request and reads its response header (these responses have no body). */
    private static String request(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        StringBuilder response = new StringBuilder();
        while (response.indexOf("\r\n\r\n") < 0) {
            int b = socket.getInputStream().read();
            if (b < 0) {
                throw new IOException("the server hung up; so far: " + response);
            }
            response.append((char) b);
        }
        return response.toString();
    }

    /** Reads interleaved RTP ({@code $}, channel, length, packet) and counts packets with the marker bit: frames. */
    private static void countFrames(Socket socket, AtomicLong frames) {
        try {
            socket.setSoTimeout(0);
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16));
            byte[] packet = new byte[65536];
            while (true) {
                if (in.readUnsignedByte() != '$') {
                    throw new IOException("not an interleaved frame");
                }
                in.readUnsignedByte();
                int length = in.readUnsignedShort();
                in.readFully(packet, 0, length);
                if ((packet[1] & 0x80) != 0) {
                    frames.incrementAndGet();
                }
            }
        } catch (IOException e) {
            // the socket closed at the end of the test
        }
    }
}
