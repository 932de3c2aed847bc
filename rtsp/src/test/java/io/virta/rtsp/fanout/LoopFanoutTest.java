package io.virta.rtsp.fanout;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fan-out on a real Netty event loop: units arrive in order, a stalled loop loses units (counted)
 * instead of queueing without bound, and every buffer is released exactly once. The clients are
 * plain recorders: what they do with a unit is the mounts' business, tested with real sockets there.
 */
class LoopFanoutTest {
    private static final int CAPACITY = 8;

    /** One numbered unit: a pooled buffer holding its number, as a mount's slot holds packets. */
    static final class Numbered extends Delivery<Numbered> {
        ByteBuf buffer;
        boolean keyframe;

        @Override
        public boolean keyframe() {
            return keyframe;
        }

        @Override
        protected void share(Numbered source) {
            buffer = source.buffer.retain();
            keyframe = source.keyframe;
        }

        @Override
        protected void release() {
            buffer.release();
            buffer = null;
        }
    }

    /** Records the numbers it gets; runs on the loop only. */
    static final class Recorder {
        final List<Integer> received = new ArrayList<>();
        final List<String> threads = new ArrayList<>();

        void receive(Numbered unit) {
            // Reading, not consuming: the buffer's indices are shared with the other clients.
            received.add(unit.buffer.getInt(unit.buffer.readerIndex()));
            threads.add(Thread.currentThread().getName());
        }
    }

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final EventLoop loop = group.next();
    private LoopFanout<Recorder, Numbered> fanout =
            new LoopFanout<>("test", CAPACITY, Numbered::new, Recorder::receive);
    private final List<ByteBuf> published = new ArrayList<>();

    private static ResourceLeakDetector.Level levelBefore;

    /** Every buffer tracked, so that one released too few times is reported; only for this class. */
    @BeforeAll
    static void paranoid() {
        levelBefore = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterAll
    static void restore() {
        ResourceLeakDetector.setLevel(levelBefore);
    }

    @AfterEach
    void stop() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Publishes unit {@code n} as a mount does: its own reference, released once handed over. */
    private void publish(int n, boolean keyframe) {
        Numbered unit = new Numbered();
        unit.buffer = PooledByteBufAllocator.DEFAULT.directBuffer(4).writeInt(n);
        unit.keyframe = keyframe;
        published.add(unit.buffer);
        fanout.publish(unit);
        unit.release();
    }

    /** Waits until the loop has run everything queued before now. */
    private void settle() throws Exception {
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    private void assertAllReleased() {
        for (int i = 0; i < published.size(); i++) {
            assertEquals(0, published.get(i).refCnt(), "references left on unit " + i);
        }
    }

    @Test
    void everyClientOfTheLoopGetsEveryUnitInOrderOnTheLoop() throws Exception {
        // Room for every unit, so that however the loop is scheduled nothing is lost.
        fanout = new LoopFanout<>("test", 512, Numbered::new, Recorder::receive);
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        fanout.add(loop, a);
        fanout.add(loop, b);
        assertEquals(2, fanout.clients());
        List<Integer> expected = new ArrayList<>();
        for (int n = 0; n < 500; n++) {
            publish(n, n % 25 == 0);
            expected.add(n);
            if (n % 4 == 0) {
                Thread.sleep(0, 200_000); // sometimes the loop catches up, sometimes units queue
            }
        }
        settle();
        assertEquals(0, fanout.unitsDropped());
        assertEquals(expected, a.received, "every unit, in order");
        assertEquals(expected, b.received, "every unit, in order");
        assertTrue(a.threads.stream().allMatch(t -> t.equals(a.threads.get(0))), "one thread");
        assertTrue(loop.submit(() -> a.threads.get(0).equals(Thread.currentThread().getName())).get(), "the loop's");
        assertAllReleased();
    }

    @Test
    void aStalledLoopLosesUnitsUntilTheNextKeyframeAndCountsThemPerClient() throws Exception {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        fanout.add(loop, a);
        fanout.add(loop, b);
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        loop.execute(() -> {
            stalled.countDown();
            try {
                resume.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertTrue(stalled.await(5, TimeUnit.SECONDS));
            // Units 0..7 fill the ring; 8 is lost; 9..11 are skipped (the loop now waits for a
            // keyframe, and a client waiting for one counts no loss); keyframe 12 is lost too.
            for (int n = 0; n < CAPACITY + 5; n++) {
                publish(n, n == 0 || n == CAPACITY + 4);
            }
            assertEquals(2, fanout.unitsDropped(), "units the stalled loop lost");
            assertEquals(4, fanout.clientUnitsDropped(), "the same, once per client of that loop");
            for (int n = 0; n < CAPACITY; n++) {
                assertEquals(1, published.get(n).refCnt(), "unit " + n + ": the publisher's reference released, the slot's held");
            }
            for (int n = CAPACITY; n < CAPACITY + 5; n++) {
                assertEquals(0, published.get(n).refCnt(), "lost unit " + n + " is not held");
            }
        } finally {
            resume.countDown();
        }
        settle();
        publish(100, false); // after a loss the loop waits for a keyframe
        publish(101, true);
        publish(102, false);
        settle();
        List<Integer> expected = new ArrayList<>();
        for (int n = 0; n < CAPACITY; n++) {
            expected.add(n);
        }
        expected.addAll(List.of(101, 102));
        assertEquals(expected, a.received);
        assertEquals(expected, b.received);
        assertEquals(2, fanout.unitsDropped(), "a unit skipped while waiting for a keyframe is no new loss");
        assertAllReleased();
    }

    @Test
    void aPublisherOnTheLoopItselfDeliversAtOnceAndARemovedClientGetsNothing() throws Exception {
        Recorder a = new Recorder();
        Recorder gone = new Recorder();
        fanout.add(loop, a);
        fanout.add(loop, gone);
        fanout.remove(gone);
        assertEquals(1, fanout.clients());
        List<Integer> seenDuringPublish = loop.submit(() -> {
            publish(7, true);
            return List.copyOf(a.received);
        }).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(7), seenDuringPublish, "delivered inside publish(), without a hand-off");
        assertEquals(List.of(), gone.received);

        List<Recorder> hungUp = new ArrayList<>();
        fanout.removeAll(hungUp::add);
        assertEquals(List.of(a), hungUp);
        assertEquals(0, fanout.clients());
        publish(8, true);
        settle();
        assertEquals(List.of(7), a.received, "no clients, no delivery");
        assertAllReleased();
    }

    @Test
    void ringCapacityIsRoundedUpToAPowerOfTwoAndChecked() {
        assertEquals(8, new SlotRing<>(5, Numbered::new).capacity());
        assertEquals(32, new SlotRing<>(32, Numbered::new).capacity());
        assertEquals(1, new SlotRing<>(1, Numbered::new).capacity());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new SlotRing<>(0, Numbered::new));
        assertTrue(e.getMessage().contains("ring capacity 0"), e.getMessage());
    }
}
