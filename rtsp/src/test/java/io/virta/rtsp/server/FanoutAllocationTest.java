package io.virta.rtsp.server;

import io.netty.buffer.PooledByteBufAllocator;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.rtp.RtpPacketSink;
import io.virta.rtsp.rtp.h264.H264Packetizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ground rule for the ingest thread: once compiled, publishing a unit to clients served by another
 * event loop allocates nothing there (packetizing into pooled buffers, one slot per loop, one
 * reusable task). What the loop then does per client (its framing and duplicates) is Netty's pooled
 * business on the loop's thread, not measured here. Real server, real TCP clients that keep reading.
 *
 * <p>The packetizer itself takes a {@code ByteBuffer} view of each unit (64 bytes, which C2 does not
 * always remove); that is measured alone and allowed, so that what is asserted is the fan-out's share.
 */
class FanoutAllocationTest {
    private static final int CLIENTS = 3;
    private static final int PER_ROUND = 200;
    /**
     * How long to wait for C2 to compile the publish path. Runs here took 2.8 to 11.8 s, and once more
     * than 30 s, in a test JVM whose compiler queue is still busy with earlier test classes; the
     * assertion is unchanged, only the wait for the JIT is longer.
     */
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(90);
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final MediaMount mount = new MediaMount("cam", VideoCodec.H264);
    @RegisterExtension
    final OneLoopServer served = new OneLoopServer(mount);

    @Test
    void publishingToClientsOnAnotherLoopAllocatesNothingPerUnit() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        AtomicLong frames = new AtomicLong();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                RawRtspClient.play(socket, served.server(), "cam");
                Thread.ofPlatform().daemon().start(() -> RawRtspClient.countFrames(socket, frames));
            }
            assertEquals(CLIENTS, mount.clients());
            // Three packets per unit (FU-A), so that the slot's packet array is really used.
            AccessUnit unit = StalledClientTest.keyframe(3000);

            double packetizing = packetizerBytesPerUnit(unit);
            double fewest = Double.MAX_VALUE;
            long published = 0;
            long giveUp = System.nanoTime() + GIVE_UP_NANOS;
            while (fewest - packetizing >= 1 && System.nanoTime() - giveUp < 0) {
                long before = allocatedBytes();
                for (int n = 0; n < PER_ROUND; n++) {
                    unit.rtpTimestamp(published++ * 3600L);
                    mount.publish(unit);
                    LockSupport.parkNanos(20_000); // faster than a camera's pace, roughly: the loop keeps up
                }
                fewest = Math.min(fewest, (allocatedBytes() - before) / (double) PER_ROUND);
            }
            assertTrue(fewest - packetizing < 1, "bytes the ingest thread allocated per unit once compiled: " + fewest
                    + ", of which the packetizer alone " + packetizing);

            // The loop fans the last units out after publish() returns: wait until every unit is accounted
            // for, per client, and the clients have read all that was sent, instead of racing the loop.
            long accounted = CLIENTS * published;
            long giveUpWaiting = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((mount.framesSent() + mount.framesDropped() < accounted || frames.get() < mount.framesSent())
                    && System.nanoTime() - giveUpWaiting < 0) {
                Thread.sleep(10);
            }
            assertTrue(mount.framesSent() > published, "the clients were sent frames: " + mount.framesSent());
            assertEquals(mount.framesSent(), frames.get(), "frames the clients read");
            assertEquals(accounted, mount.framesSent() + mount.framesDropped(), "sent or dropped, per client");
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** The least the packetizer alone allocates per unit, into pooled buffers released at once. */
    private static double packetizerBytesPerUnit(AccessUnit unit) {
        H264Packetizer packetizer = new H264Packetizer(PooledByteBufAllocator.DEFAULT, 96, 1, 0);
        RtpPacketSink release = (packet, last) -> packet.release();
        double fewest = Double.MAX_VALUE;
        for (int round = 0; round < 200; round++) {
            long before = allocatedBytes();
            for (int n = 0; n < PER_ROUND; n++) {
                packetizer.packetize(unit, n * 3600L, release);
            }
            fewest = Math.min(fewest, (allocatedBytes() - before) / (double) PER_ROUND);
        }
        return fewest;
    }

    private static long allocatedBytes() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().threadId());
    }
}
