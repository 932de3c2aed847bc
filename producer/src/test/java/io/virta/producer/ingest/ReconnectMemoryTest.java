package io.virta.producer.ingest;

import io.virta.producer.graph.FrameSink;
import io.virta.rtsp.media.AccessUnit;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A camera that dies and comes back, against a real gst-rtsp-server killed with SIGKILL: a reconnect
 * must not allocate native memory that only a GC would return. Each RTSP session used to get a new
 * depacketizer with its own direct buffer of {@code encoded.capacity} bytes, and a daemon that
 * allocates nothing on its packet path hardly ever collects them: RSS grew by that much per camera
 * reconnect.
 */
class ReconnectMemoryTest {
    private static final Duration ONLINE = Duration.ofSeconds(30);
    /** Large, so that one more buffer per reconnect stands far above anything else that may allocate direct memory. */
    private static final long CAPACITY = 16L << 20;
    private static final int RECONNECTS = 3;

    @Test
    @Timeout(120)
    void reconnectsAllocateNoNewUnitBuffer() throws Exception {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start();
             IngestHarness h = new IngestHarness("url: " + server.url("/cam") + "\ntransport: tcp\nreconnectSeconds: 1"
                     + "\ndecode: false\nencoded: { capacity: " + CAPACITY + " }")) {
            Set<ByteBuffer> buffers = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
            AtomicLong units = new AtomicLong();
            FrameSink<AccessUnit> watch = unit -> {
                buffers.add(unit.data());
                units.incrementAndGet();
            };
            h.awaitEvent("online", ONLINE);
            h.producer.camera(h.camera).units().connect(watch);
            awaitUnits(units, h);
            long directBefore = directBytes();
            for (int i = 0; i < RECONNECTS; i++) {
                server.kill();
                h.awaitEvent("offline", Duration.ofSeconds(10));
                h.events.clear();
                server.restart();
                h.awaitEvent("online", ONLINE);
                awaitUnits(units, h);
            }
            long grown = directBytes() - directBefore;
            assertTrue(h.producer.camera(h.camera).source().reconnects() >= RECONNECTS, "reconnected");
            // A new buffer per session would add CAPACITY bytes per reconnect (unless a GC happened to run).
            assertTrue(grown < CAPACITY, "direct buffer bytes grew by " + grown + " over " + RECONNECTS
                    + " reconnects; each new " + CAPACITY + "-byte unit buffer is native memory only a GC returns");
            assertEquals(1, buffers.size(), "every session assembles its units in the camera's one buffer");
        }
    }

    /** Waits for units of the session now playing: the depacketizer of the new session exists and emits. */
    private static void awaitUnits(AtomicLong units, IngestHarness h) throws InterruptedException {
        long target = units.get() + 5;
        long giveUp = System.nanoTime() + ONLINE.toNanos();
        while (units.get() < target) {
            assertTrue(System.nanoTime() < giveUp, "no units within " + ONLINE + "; events " + h.events);
            Thread.sleep(20);
        }
    }

    /** Native memory held by direct buffers, freed or not yet collected. */
    private static long directBytes() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool");
    }
}
