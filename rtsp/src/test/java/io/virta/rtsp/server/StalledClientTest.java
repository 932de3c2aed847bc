package io.virta.rtsp.server;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A TCP client that stops reading loses frames, counted by the mount, while a client beside it that
 * keeps reading gets every frame. Both clients are raw sockets speaking RTSP ({@link RawRtspClient}), so
 * that one of them can stall on purpose; the server is the real one on a real event loop.
 */
class StalledClientTest {
    /** Big enough that a few dozen fill the stalled client's socket buffers and the 2 MiB backlog. */
    private static final int UNIT_BYTES = 200_000;
    private static final int UNITS = 150;

    private final MediaMount mount = new MediaMount("cam", VideoCodec.H264);
    @RegisterExtension
    final OneLoopServer served = new OneLoopServer(mount);

    @Test
    void aStalledClientLosesFramesAndTheOtherGetsEveryOne() throws Exception {
        try (Socket stalled = new Socket(); Socket healthy = new Socket()) {
            stalled.setReceiveBufferSize(4096); // before connecting, so the TCP window stays small
            RawRtspClient.play(stalled, served.server(), "cam");
            RawRtspClient.play(healthy, served.server(), "cam");
            assertEquals(2, mount.clients(), "clients playing");
            AtomicLong healthyFrames = new AtomicLong();
            Thread reader = Thread.ofPlatform().daemon().name("healthy-client").start(() -> RawRtspClient.countFrames(healthy, healthyFrames));

            AccessUnit unit = keyframe(UNIT_BYTES);
            for (int i = 0; i < UNITS; i++) {
                unit.rtpTimestamp(i * 3600L);
                mount.publish(unit);
                Thread.sleep(5); // ~40 MB/s: loopback carries it to a reading client, not to a stalled one
            }

            // The loop may still be counting the stalled client's last units when the healthy one has read
            // everything: wait for both, instead of racing the loop.
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((healthyFrames.get() < UNITS || mount.framesSent() + mount.framesDropped() < 2L * UNITS)
                    && System.nanoTime() < giveUp) {
                Thread.sleep(20);
            }
            assertEquals(UNITS, healthyFrames.get(), "frames the reading client got");
            assertTrue(mount.framesDropped() > 0, "the stalled client lost frames");
            assertEquals(2L * UNITS, mount.framesSent() + mount.framesDropped(), "every frame was sent or dropped, per client");
            reader.interrupt();
        }
    }

    /** A frame of one SPS, one PPS and one big IDR slice (filler bytes hold no start code). */
    static AccessUnit keyframe(int bytes) {
        AccessUnit unit = AccessUnit.allocate(bytes + 64);
        var data = unit.data();
        data.clear();
        data.put(new byte[] {0, 0, 0, 1, 0x67, 0x42, 0x00, 0x1f, (byte) 0xac, 0x55});
        data.put(new byte[] {0, 0, 0, 1, 0x68, (byte) 0xce, 0x3c, (byte) 0x80});
        data.put(new byte[] {0, 0, 0, 1, 0x65});
        while (data.position() < bytes) {
            data.put((byte) 0x55);
        }
        data.flip();
        unit.keyframe(true);
        return unit;
    }
}
