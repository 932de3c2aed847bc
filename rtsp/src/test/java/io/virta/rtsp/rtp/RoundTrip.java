package io.virta.rtsp.rtp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/** Packetize access units, depacketize them, compare: shared by the H264 and H265 round-trip tests. */
public final class RoundTrip {
    public static final long FRAME_TICKS = 3600;

    private RoundTrip() {
    }

    /** Packets for all units, one frame apart from {@code firstTimestamp} (wrapping at 2^32). */
    public static List<ByteBuffer> packetize(TestPacketizer packetizer, List<List<byte[]>> units, long firstTimestamp) {
        List<ByteBuffer> packets = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            packets.addAll(packetizer.packetize(units.get(i), (firstTimestamp + i * FRAME_TICKS) & 0xffff_ffffL));
        }
        return packets;
    }

    public static void feed(List<ByteBuffer> packets, RtpPacketHandler handler) {
        RtpPacket packet = new RtpPacket();
        for (ByteBuffer buffer : packets) {
            assertTrue(packet.wrap(buffer.duplicate()));
            handler.onPacket(packet);
        }
    }

    /** Through a reorderer, one packet per millisecond. */
    public static void feedThrough(Reorderer reorderer, List<ByteBuffer> packets) {
        RtpPacket packet = new RtpPacket();
        long now = 0;
        for (ByteBuffer buffer : packets) {
            assertTrue(packet.wrap(buffer.duplicate()));
            reorderer.offer(packet, now += 1_000_000);
        }
        reorderer.flush();
    }

    /**
     * Swaps packets up to {@code maxDistance} apart and repeats some: what a bad network does. The first
     * packet stays first: a reorderer starts its window there, and anything older counts as late.
     */
    public static List<ByteBuffer> shuffleAndDuplicate(List<ByteBuffer> packets, Random random, int maxDistance) {
        List<ByteBuffer> shuffled = new ArrayList<>(packets);
        for (int i = 1; i + 1 < shuffled.size(); i++) {
            if (random.nextInt(4) == 0) {
                Collections.swap(shuffled, i, Math.min(shuffled.size() - 1, i + 1 + random.nextInt(maxDistance)));
            }
        }
        for (int i = shuffled.size() - 1; i >= 0; i -= 1 + random.nextInt(20)) {
            shuffled.add(i, shuffled.get(i));
        }
        return shuffled;
    }

    public static ByteBuffer withoutMarker(ByteBuffer packet) {
        ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
        copy.put(packet.duplicate()).flip();
        copy.put(1, (byte) (copy.get(1) & 0x7f));
        return copy;
    }

    /** Each unit emitted, in order, byte for byte as {@code expected}, numbered from 1, timestamps unwrapped. */
    public static void assertUnits(List<List<byte[]>> expected, Predicate<byte[]> isKeyframeNal, UnitCollector collector,
                                   long firstTimestamp) {
        assertEquals(expected.size(), collector.count(), "units emitted");
        for (int i = 0; i < expected.size(); i++) {
            UnitCollector.Unit unit = collector.units.get(i);
            byte[] want = AnnexB.join(expected.get(i));
            assertArrayEquals(want, unit.data(), "unit " + i);
            assertEquals(expected.get(i).stream().anyMatch(isKeyframeNal), unit.keyframe(), "keyframe flag of unit " + i);
            assertEquals(i + 1, unit.sequence());
            assertEquals(firstTimestamp + i * FRAME_TICKS, unit.rtpTimestamp(), "unit " + i);
        }
    }

    /** Per payload type (the low bits of the first payload byte for H264, bits 1..6 for H265), how many packets. */
    public static int[] payloadTypeHistogram(List<ByteBuffer> packets, boolean h265) {
        int[] histogram = new int[64];
        RtpPacket packet = new RtpPacket();
        for (ByteBuffer buffer : packets) {
            assertTrue(packet.wrap(buffer.duplicate()));
            int first = packet.buffer().get(packet.payloadOffset()) & 0xff;
            histogram[h265 ? (first >> 1) & 0x3f : first & 0x1f]++;
        }
        return histogram;
    }
}
