package io.virta.rtsp.rtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ReordererTest {
    private static final long MS = 1_000_000;

    /** Records what reaches the handler: "12" for packet 12, "-3" for 3 lost. */
    private static final class Recorder implements RtpPacketHandler {
        final List<String> events = new ArrayList<>();
        final List<Integer> payloadSizes = new ArrayList<>();

        @Override
        public void onPacket(RtpPacket packet) {
            events.add(Integer.toString(packet.sequenceNumber()));
            payloadSizes.add(packet.payloadLength());
            int first = packet.buffer().get(packet.payloadOffset()) & 0xff;
            assertEquals(packet.sequenceNumber() & 0xff, first, "the payload travels with its header");
        }

        @Override
        public void onLoss(int packetsLost) {
            assertTrue(packetsLost > 0);
            events.add("-" + packetsLost);
        }

        String take() {
            String text = String.join(" ", events);
            events.clear();
            return text;
        }
    }

    private final Recorder recorder = new Recorder();

    private static RtpPacket packet(int sequenceNumber) {
        return packet(sequenceNumber, 100);
    }

    private static RtpPacket packet(int sequenceNumber, int payloadSize) {
        byte[] payload = new byte[payloadSize];
        payload[0] = (byte) sequenceNumber;
        return RtpPackets.wrap(RtpPackets.packet(sequenceNumber, 0, false, payload));
    }

    private static void offer(Reorderer reorderer, long now, int... sequenceNumbers) {
        for (int sequenceNumber : sequenceNumbers) {
            reorderer.offer(packet(sequenceNumber), now);
        }
    }

    @Test
    void inOrderPacketsGoStraightThrough() {
        Reorderer reorderer = new Reorderer(8, 50 * MS, recorder);
        offer(reorderer, 0, 100, 101, 102);
        assertEquals("100 101 102", recorder.take());
        assertEquals(0, reorderer.buffered());
        assertEquals(Long.MAX_VALUE, reorderer.nextDeadlineNanos());
        assertEquals(3, reorderer.received());
        assertEquals(0, reorderer.reordered() + reorderer.lost() + reorderer.duplicates() + reorderer.late());
    }

    @Test
    void swappedPacketsArePutBackInOrder() {
        Reorderer reorderer = new Reorderer(8, 50 * MS, recorder);
        offer(reorderer, 0, 10, 12, 13);
        assertEquals("10", recorder.take());
        assertEquals(2, reorderer.buffered());
        assertEquals(50 * MS, reorderer.nextDeadlineNanos());
        offer(reorderer, MS, 11);
        assertEquals("11 12 13", recorder.take());
        assertEquals(1, reorderer.reordered());
        assertEquals(0, reorderer.lost());
    }

    @Test
    void aGapIsGivenUpWhenTheHoldTimeExpires() {
        Reorderer reorderer = new Reorderer(8, 50 * MS, recorder);
        offer(reorderer, 0, 1, 2);
        offer(reorderer, 10 * MS, 5, 6);
        reorderer.tick(59 * MS);
        assertEquals("1 2", recorder.take(), "still waiting for 3 and 4");
        reorderer.tick(60 * MS);
        assertEquals("-2 5 6", recorder.take());
        assertEquals(2, reorderer.lost());
        offer(reorderer, 61 * MS, 3);
        assertEquals("", recorder.take());
        assertEquals(1, reorderer.late());
    }

    @Test
    void theHoldTimeIsAlsoCheckedWhenPacketsArrive() {
        Reorderer reorderer = new Reorderer(8, 20 * MS, recorder);
        offer(reorderer, 0, 1);
        offer(reorderer, 0, 3);
        offer(reorderer, 25 * MS, 4);
        assertEquals("1 -1 3 4", recorder.take());
    }

    @Test
    void aFullWindowGivesUpTheOldestGap() {
        Reorderer reorderer = new Reorderer(4, 1_000 * MS, recorder);
        offer(reorderer, 0, 1, 3, 4, 5);
        assertEquals("1", recorder.take());
        offer(reorderer, 0, 6);
        assertEquals("-1 3 4 5 6", recorder.take());
        offer(reorderer, 0, 12);
        assertEquals("", recorder.take(), "7..8 lost so 12 fits; 9..11 may still come");
        offer(reorderer, 0, 10);
        offer(reorderer, 0, 9);
        assertEquals("-2 9 10", recorder.take());
        reorderer.flush();
        assertEquals("-1 12", recorder.take());
        assertEquals(4, reorderer.lost());
    }

    @Test
    void duplicatesAreDroppedWhetherHeldOrAlreadyDelivered() {
        Reorderer reorderer = new Reorderer(8, 50 * MS, recorder);
        offer(reorderer, 0, 1, 3, 3, 2, 2, 1, 3);
        assertEquals("1 2 3", recorder.take());
        assertEquals(4, reorderer.duplicates());
        assertEquals(0, reorderer.late());
    }

    @Test
    void packetsOlderThanTheWindowAreLate() {
        Reorderer reorderer = new Reorderer(4, 50 * MS, recorder);
        offer(reorderer, 0, 100, 101, 102, 103, 104, 105, 106);
        recorder.take();
        offer(reorderer, 0, 99, 100);
        assertEquals("", recorder.take());
        assertEquals(2, reorderer.late());
    }

    @Test
    void sequenceNumbersWrapFrom65535To0() {
        Reorderer reorderer = new Reorderer(8, 50 * MS, recorder);
        offer(reorderer, 0, 65533, 65535, 0, 65534, 2, 1);
        assertEquals("65533 65534 65535 0 1 2", recorder.take());
        offer(reorderer, 0, 4);
        reorderer.tick(100 * MS);
        assertEquals("-1 4", recorder.take());
        offer(reorderer, 0, 65535);
        assertEquals(1, reorderer.duplicates() + reorderer.late());
    }

    @Test
    void aRestartJumpResetsTheWindowInsteadOfReportingThousandsLost() {
        Reorderer reorderer = new Reorderer(8, 50 * MS, recorder);
        offer(reorderer, 0, 1000, 1001, 1003);
        assertEquals("1000 1001", recorder.take());
        offer(reorderer, MS, 31000, 31001, 31002);
        assertEquals("-1 1003 31000 31001 31002", recorder.take(), "the old stream is flushed, then the new one starts");
        assertEquals(1, reorderer.restarts());
        assertEquals(1, reorderer.lost());
        offer(reorderer, MS, 31004, 31003);
        assertEquals("31003 31004", recorder.take());
    }

    @Test
    void aRestartBackwardsWorksToo() {
        Reorderer reorderer = new Reorderer(8, 50 * MS, recorder);
        offer(reorderer, 0, 40000, 40001, 7, 8, 9);
        assertEquals("40000 40001 7 8 9", recorder.take());
        assertEquals(1, reorderer.restarts());
    }

    @Test
    void aSingleStrayPacketFarAwayIsDroppedWithoutARestart() {
        Reorderer reorderer = new Reorderer(8, 50 * MS, recorder);
        offer(reorderer, 0, 500, 501, 9000, 502, 9001, 503);
        assertEquals("500 501 502 503", recorder.take());
        assertEquals(0, reorderer.restarts());
        assertEquals(2, reorderer.outOfRange());
    }

    @Test
    void aWindowOfOneStillRestarts() {
        Reorderer reorderer = new Reorderer(1, 0, recorder);
        offer(reorderer, 0, 5, 6, 7000, 7001, 7002);
        assertEquals("5 6 7000 7001 7002", recorder.take());
    }

    @Test
    void packetsLargerThanASlotStillGetThrough() {
        Reorderer reorderer = new Reorderer(4, 50 * MS, recorder);
        reorderer.offer(packet(1, 100), 0);
        reorderer.offer(packet(3, 65_000), 0);
        reorderer.offer(packet(2, 60_000), 0);
        reorderer.offer(packet(4, RtpPacket.MAX_PACKET_LENGTH - RtpPacket.FIXED_HEADER_LENGTH), 0);
        assertEquals("1 2 3 4", recorder.take());
        assertEquals(List.of(100, 60_000, 65_000, 65_523), recorder.payloadSizes);
    }

    @Test
    void resetForgetsTheWindow() {
        Reorderer reorderer = new Reorderer(8, 50 * MS, recorder);
        offer(reorderer, 0, 1, 3);
        reorderer.reset();
        offer(reorderer, 0, 200, 201);
        assertEquals("1 200 201", recorder.take());
    }

    @Test
    void refusesPacketsThatFailedToParse() {
        Reorderer reorderer = new Reorderer(8, 50 * MS, recorder);
        RtpPacket bad = new RtpPacket();
        assertFalse(bad.wrap(ByteBuffer.allocate(3)));
        assertThrows(IllegalArgumentException.class, () -> reorderer.offer(bad, 0));
        assertThrows(IllegalArgumentException.class, () -> new Reorderer(0, 0, recorder));
    }

    /**
     * Random shuffles, drops, duplicates and jumps: whatever arrives, the handler sees strictly increasing
     * sequence numbers within a run, every loss report is positive, and the counts add up.
     */
    @Test
    @Timeout(60)
    void fuzzedArrivalsKeepTheHandlerInOrder() {
        Random random = new Random(64);
        for (int round = 0; round < 200; round++) {
            int capacity = 1 + random.nextInt(64);
            List<Long> delivered = new ArrayList<>();
            long[] lost = {0};
            Reorderer reorderer = new Reorderer(capacity, random.nextInt(5) * MS, new RtpPacketHandler() {
                final SequenceUnwrapper unwrapper = new SequenceUnwrapper();

                @Override
                public void onPacket(RtpPacket packet) {
                    delivered.add(unwrapper.unwrap(packet.sequenceNumber()));
                }

                @Override
                public void onLoss(int packetsLost) {
                    assertTrue(packetsLost > 0);
                    lost[0] += packetsLost;
                }
            });
            int base = random.nextInt(65536);
            long now = 0;
            int count = 500 + random.nextInt(500);
            int[] order = new int[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            for (int i = 0; i < count; i++) {
                int j = Math.min(count - 1, i + random.nextInt(1 + random.nextInt(2 * capacity)));
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
            int offered = 0;
            for (int i = 0; i < count; i++) {
                now += random.nextInt(2 * (int) MS);
                int roll = random.nextInt(100);
                if (roll < 5) {
                    continue;
                }
                int sequenceNumber = (base + order[i]) & 0xffff;
                if (roll < 8) {
                    sequenceNumber = random.nextInt(65536);
                }
                reorderer.offer(packet(sequenceNumber), now);
                offered++;
                if (roll > 95) {
                    reorderer.offer(packet(sequenceNumber), now);
                    offered++;
                }
                if (roll == 50) {
                    reorderer.tick(now + 10 * MS);
                }
            }
            reorderer.flush();
            assertEquals(0, reorderer.buffered());
            assertEquals(offered, reorderer.received());
            for (int i = 1; i < delivered.size(); i++) {
                long step = delivered.get(i) - delivered.get(i - 1);
                assertTrue(step > 0 || reorderer.restarts() > 0, "delivered out of order at " + i + ": " + delivered);
            }
            assertTrue(lost[0] <= reorderer.lost(), "reported losses were counted");
            assertTrue(delivered.size() <= offered);
        }
    }

    /** Ground rule: in-order and lightly reordered packets go through without allocating. */
    @Test
    void steadyStateAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        long[] sink = {0};
        Reorderer reorderer = new Reorderer(64, 50 * MS, new RtpPacketHandler() {
            @Override
            public void onPacket(RtpPacket packet) {
                sink[0] += packet.sequenceNumber();
            }

            @Override
            public void onLoss(int packetsLost) {
                sink[0] -= packetsLost;
            }
        });
        ByteBuffer first = RtpPackets.packet(0, 0, false, new byte[1200]);
        ByteBuffer second = RtpPackets.packet(0, 0, false, new byte[1200]);
        RtpPacket firstPacket = RtpPackets.wrap(first);
        RtpPacket secondPacket = RtpPackets.wrap(second);
        double fewest = Double.MAX_VALUE;
        int sequence = 0;
        for (int round = 0; round < 20; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 10_000; i += 2) {
                // Pairs swapped: every other packet waits for one.
                first.putShort(2, (short) (sequence + 1));
                second.putShort(2, (short) sequence);
                reorderer.offer(firstPacket, i);
                reorderer.offer(secondPacket, i);
                sequence += 2;
            }
            fewest = Math.min(fewest, (threads.getThreadAllocatedBytes(thread) - before) / 10_000.0);
        }
        assertTrue(fewest < 1, "bytes allocated per packet once compiled: " + fewest);
        assertEquals(0, reorderer.lost());
    }
}
