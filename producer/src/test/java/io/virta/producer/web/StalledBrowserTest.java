package io.virta.producer.web;

import io.netty.channel.nio.NioEventLoopGroup;
import io.virta.producer.config.WebViewConfig;
import io.virta.producer.graph.FrameSink;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AnnexB;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A browser that stops reading loses fragments, counted by the camera's mount, while a browser beside
 * it that keeps reading gets every one. The browsers are raw WebSocket clients (no real browser can be
 * told to stall); the web view is the real one on a real event loop, fed big keyframes fast.
 */
class StalledBrowserTest {
    /** Big enough that a few dozen fill the stalled socket's buffers and the web view's 4 MiB bound. */
    private static final int UNIT_BYTES = 200_000;
    private static final int UNITS = 150;

    private NioEventLoopGroup group;
    private WebView view;

    @BeforeEach
    void start() {
        group = new NioEventLoopGroup(1);
        view = WebView.start(new WebViewConfig(true, "127.0.0.1:0", null), group, List::of, camera -> null);
    }

    @AfterEach
    void stop() throws Exception {
        view.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void aStalledBrowserLosesFragmentsAndTheOtherGetsEveryOne() throws Exception {
        FrameSink<AccessUnit> camera = view.mountCamera("cam");
        FragmentMount mount = view.mount("cam");
        try (Socket stalled = new Socket(); Socket reading = new Socket()) {
            stalled.setReceiveBufferSize(4096); // before connecting, so the TCP window stays small
            openVideo(stalled);
            openVideo(reading);
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (mount.clients() < 2 && System.nanoTime() < giveUp) {
                Thread.sleep(10);
            }
            assertEquals(2, mount.clients(), "browsers watching");
            AtomicLong fragments = new AtomicLong();
            Thread reader = Thread.ofPlatform().daemon().name("reading-browser").start(() -> countFragments(reading, fragments));

            AccessUnit unit = keyframe();
            for (int i = 0; i < UNITS; i++) {
                camera.accept(unit.rtpTimestamp(i * 3600L).captureTimeMicros(i * 40_000L));
                Thread.sleep(5); // ~40 MB/s: loopback carries it to a reading browser, not to a stalled one
            }

            // The loop may still be counting the stalled browser's last fragments when the reading one has
            // read everything: wait for both, instead of racing the loop.
            giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((fragments.get() < UNITS || mount.fragmentsSent() + mount.fragmentsDropped() < 2L * UNITS)
                    && System.nanoTime() < giveUp) {
                Thread.sleep(20);
            }
            assertEquals(UNITS, fragments.get(), "fragments the reading browser got");
            assertTrue(mount.fragmentsDropped() > 0, "the stalled browser lost fragments");
            assertEquals(2L * UNITS, mount.fragmentsSent() + mount.fragmentsDropped(),
                    "every fragment was sent or dropped, per browser");
            assertEquals(0, mount.fragmentsDroppedByStalledLoops(), "the event loop itself kept up");
            reader.interrupt();
        }
    }

    /** The clip's parameter sets (what precedes its first IDR slice), then one big IDR slice of filler. */
    private static AccessUnit keyframe() throws IOException {
        byte[] clip = Files.readAllBytes(TestClips.h264Small());
        ByteBuffer stream = ByteBuffer.wrap(clip);
        int nal = AnnexB.nextNalStart(stream, 0, clip.length);
        while ((clip[nal] & 0x1F) != 5) {
            nal = AnnexB.nextNalStart(stream, AnnexB.nalEnd(stream, nal, clip.length), clip.length);
        }
        AccessUnit unit = AccessUnit.allocate(UNIT_BYTES + nal);
        ByteBuffer data = unit.data().clear();
        int before = nal - 3;
        while (before > 0 && clip[before - 1] == 0) {
            before--; // without the IDR's start code (3 or 4 bytes), written next
        }
        data.put(clip, 0, before);
        data.put(new byte[] {0, 0, 0, 1, 0x65, (byte) 0x88, (byte) 0x84});
        while (data.position() < UNIT_BYTES) {
            data.put((byte) 0x55); // no start code in filler
        }
        data.flip();
        return unit.keyframe(true);
    }

    /** The WebSocket upgrade for the camera's video; returns once the server answered 101. */
    private void openVideo(Socket socket) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", view.port()));
        socket.setSoTimeout(5000);
        socket.getOutputStream().write(("GET /ws/cam HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        StringBuilder response = new StringBuilder();
        while (response.indexOf("\r\n\r\n") < 0) {
            int b = socket.getInputStream().read();
            if (b < 0) {
                throw new IOException("the web view hung up; so far: " + response);
            }
            response.append((char) b);
        }
        assertTrue(response.toString().startsWith("HTTP/1.1 101"), response.toString());
    }

    /** Reads the server's (unmasked) WebSocket frames until the socket closes, counting fragment messages. */
    private static void countFragments(Socket socket, AtomicLong fragments) {
        try {
            socket.setSoTimeout(0);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            byte[] payload = new byte[1 << 20];
            while (true) {
                int opcode = in.readUnsignedByte() & 0x0F;
                long length = in.readUnsignedByte() & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                in.readFully(payload, 0, (int) length);
                if (opcode == 2 && payload[FragmentHeader.KIND_OFFSET] == FragmentHeader.FRAGMENT) {
                    fragments.incrementAndGet();
                }
            }
        } catch (IOException e) {
            // the socket closed at the end of the test
        }
    }
}
