package io.virta.rtsp.rtcp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** RFC 3550 A.1 (sequence validation), A.3 (loss) and A.8 (jitter), case by case. */
class ReceiverStatisticsTest {
    private static final int TICKS_PER_PACKET = 3000; // 30 fps at 90 kHz

    private final ReceiverStatistics stats = new ReceiverStatistics(0x1234);

    /** Packet {@code sequence} sent at {@code sequence * 3000} and arriving with a fixed delay. */
    private boolean receive(int sequence) {
        long timestamp = (long) sequence * TICKS_PER_PACKET;
        return stats.onPacket(sequence & 0xffff, timestamp, timestamp + 500);
    }

    @Test
    void aNewSourceIsOnProbationUntilTwoSequentialPackets() {
        assertFalse(stats.isValid());
        assertFalse(receive(100), "first packet: probation");
        assertFalse(stats.isValid());
        assertTrue(receive(101), "second in sequence: valid");
        assertTrue(stats.isValid());
        assertEquals(1, stats.received(), "A.1 counts from the packet that ended probation");
        assertEquals(1, stats.expected());
        assertEquals(101, stats.extendedHighestSequence());
        assertEquals(0x1234, stats.ssrc());
    }

    @Test
    void probationRestartsOnAGap() {
        assertFalse(receive(10));
        assertFalse(receive(12));
        assertTrue(receive(13));
        assertEquals(13, stats.extendedHighestSequence());
    }

    @Test
    void lossAndFractionLostPerInterval() {
        receive(100);
        for (int sequence = 101; sequence <= 200; sequence++) {
            if (sequence != 150 && sequence != 160) {
                assertTrue(receive(sequence));
            }
        }
        assertEquals(100, stats.expected());
        assertEquals(98, stats.received());
        assertEquals(2, stats.cumulativeLost());
        assertEquals((2 << 8) / 100, stats.takeFractionLost());
        assertEquals(0, stats.takeFractionLost(), "a new interval with nothing received or lost");

        for (int sequence = 201; sequence <= 300; sequence += 2) {
            receive(sequence); // every other packet lost
        }
        assertEquals(126, stats.takeFractionLost(), "49 of 99 lost: 49 * 256 / 99 = 126.7, rounded down");
        assertEquals(2 + 49, stats.cumulativeLost());
    }

    @Test
    void sequenceWrapCountsACycle() {
        receive(65530);
        for (int sequence = 65531; sequence <= 65536 + 10; sequence++) {
            assertTrue(receive(sequence));
        }
        assertEquals(1, stats.cycles());
        assertEquals(65536 + 10, stats.extendedHighestSequence());
        assertEquals(16, stats.expected(), "65531 to 65546; probation took 65530");
        assertEquals(16, stats.received());
        assertEquals(0, stats.cumulativeLost());
    }

    @Test
    void probationAcrossTheWrap() {
        assertFalse(receive(65535));
        assertTrue(receive(0), "0 follows 65535");
        assertEquals(0, stats.extendedHighestSequence());
    }

    @Test
    void reorderedAndDuplicatePacketsAreCountedAsReceived() {
        receive(100);
        receive(101);
        receive(102);
        receive(104);
        assertTrue(receive(103), "late, within MAX_MISORDER");
        assertEquals(104, stats.extendedHighestSequence());
        assertEquals(0, stats.cumulativeLost());
        assertTrue(receive(103), "duplicate");
        assertEquals(5, stats.received());
        assertEquals(4, stats.expected());
        assertEquals(-1, stats.cumulativeLost(), "duplicates make loss negative, as the RFC says");
        assertEquals(0, stats.takeFractionLost());
    }

    @Test
    void aBigJumpIsConfirmedByTheNextPacketThenRestarts() {
        for (int sequence = 100; sequence <= 110; sequence++) {
            receive(sequence);
        }
        assertFalse(receive(20000), "a jump beyond MAX_DROPOUT is suspect");
        assertEquals(110, stats.extendedHighestSequence());
        assertTrue(receive(20001), "the next in sequence confirms it: the sender restarted");
        assertEquals(20001, stats.extendedHighestSequence());
        assertEquals(1, stats.received());
        assertEquals(1, stats.expected());
    }

    @Test
    void aJumpWithinMaxDropoutIsLoss() {
        receive(100);
        receive(101);
        assertTrue(receive(101 + 2999));
        assertEquals(2998, stats.cumulativeLost(), "102 to 3099");
    }

    @Test
    void jitterIsZeroForConstantTransit() {
        for (int sequence = 0; sequence < 500; sequence++) {
            receive(sequence);
        }
        assertEquals(0, stats.jitter());
    }

    @Test
    void jitterFollowsA8Exactly() {
        stats.onPacket(1, 0, 1000);     // probation
        stats.onPacket(2, 3000, 4000);  // first counted packet: transit 1000 becomes the reference
        assertEquals(0, stats.jitter());
        stats.onPacket(3, 6000, 7100);  // D = 100: J16 = 100, J = 6
        assertEquals(6, stats.jitter());
        stats.onPacket(4, 9000, 10000); // D = 100: J16 = 100 + 100 - 6 = 194, J = 12
        assertEquals(12, stats.jitter());
    }

    @Test
    void jitterMatchesTheFloatingPointFormula() {
        double reference = 0;
        long previousTransit = 0;
        java.util.SplittableRandom random = new java.util.SplittableRandom(3550);
        for (int i = 0; i < 2000; i++) {
            long timestamp = i * 3000L;
            long arrival = timestamp + 10_000 + random.nextInt(900);
            stats.onPacket(i, timestamp, arrival);
            long transit = arrival - timestamp;
            if (i >= 2) { // jitter starts with the second counted packet; probation ate the first
                reference += (Math.abs(transit - previousTransit) - reference) / 16.0;
            }
            previousTransit = transit;
        }
        assertEquals(reference, stats.jitter(), 1.0);
        assertTrue(stats.jitter() > 200, "uniform 0-900 arrival noise gives about 300: " + stats.jitter());
    }

    @Test
    void jitterSurvivesTimestampWrap() {
        long start = 0xFFFF_FFFFL - 5 * 3000L;
        for (int i = 0; i < 20; i++) {
            long timestamp = (start + i * 3000L) & 0xFFFF_FFFFL;
            long arrival = 123_456_789L + i * 3000L; // another origin, same pace
            stats.onPacket(i, timestamp, arrival);
        }
        assertEquals(0, stats.jitter());
    }

    @Test
    void lastSenderReportAndDelay() {
        assertEquals(0, stats.lastSenderReport());
        assertEquals(0, stats.delaySinceLastSenderReport(5_000_000));
        long ntp = 0xE93C_7F00_8000_0000L;
        stats.onSenderReport(ntp, 1_000_000);
        assertEquals(0x7F00_8000L, stats.lastSenderReport());
        assertEquals(32768, stats.delaySinceLastSenderReport(1_500_000), "half a second in 1/65536 s");
        assertEquals(65536 * 3, stats.delaySinceLastSenderReport(4_000_000));
        assertEquals(0, stats.delaySinceLastSenderReport(0), "a clock going backwards gives 0, not garbage");
        assertEquals(0xFFFF_FFFFL, stats.delaySinceLastSenderReport(Long.MAX_VALUE), "saturates");
    }

    @Test
    void resetForgetsEverything() {
        receive(1);
        receive(2);
        stats.onSenderReport(1L << 40, 0);
        stats.reset(99);
        assertEquals(99, stats.ssrc());
        assertFalse(stats.isValid());
        assertEquals(0, stats.received());
        assertEquals(0, stats.expected());
        assertEquals(0, stats.lastSenderReport());
    }
}
