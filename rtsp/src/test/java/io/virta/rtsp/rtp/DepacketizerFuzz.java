package io.virta.rtsp.rtp;

import io.virta.testkit.FuzzCorpus;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Feeds mutated copies of a valid packet sequence to a depacketizer: bit flips (mostly in the first
 * payload bytes, where the NAL, FU and aggregation headers live), truncation, garbage, drops, duplicates,
 * swaps, marker and timestamp changes. The test asserts only that nothing is thrown and that every
 * emitted unit is well formed. {@link #replay} puts a persisted corpus through the same checks first.
 */
public final class DepacketizerFuzz {
    private DepacketizerFuzz() {
    }

    public interface Target {
        RtpPacketHandler handler();

        void flush();
    }

    public static void run(List<ByteBuffer> valid, long seed, int iterations, int maxUnitSize,
                           java.util.function.Function<UnitCollector, Target> make) {
        Random random = new Random(seed);
        RtpPacket packet = new RtpPacket();
        long emitted = 0;
        for (int iteration = 0; iteration < iterations; iteration++) {
            UnitCollector collector = new UnitCollector();
            Target target = make.apply(collector);
            List<ByteBuffer> packets = mutate(valid, random);
            for (ByteBuffer buffer : packets) {
                if (packet.wrap(buffer)) {
                    target.handler().onPacket(packet);
                }
                if (random.nextInt(50) == 0) {
                    target.handler().onLoss(1 + random.nextInt(3));
                }
            }
            target.flush();
            checkUnits(collector, maxUnitSize, "iteration " + iteration);
            emitted += collector.count();
        }
        assertTrue(emitted > 0, "some sequences should survive their mutations");
    }

    /**
     * Feeds each case of a persisted corpus ({@link FuzzCorpus}: one RTP packet per record) to a new
     * depacketizer, with the checks of {@link #run}: nothing thrown, every emitted unit well formed.
     */
    public static void replay(List<FuzzCorpus.Case> corpus, int maxUnitSize,
                              java.util.function.Function<UnitCollector, Target> make) {
        RtpPacket packet = new RtpPacket();
        for (FuzzCorpus.Case input : corpus) {
            UnitCollector collector = new UnitCollector();
            Target target = make.apply(collector);
            for (byte[] record : input.records()) {
                if (packet.wrap(ByteBuffer.wrap(record))) {
                    target.handler().onPacket(packet);
                }
            }
            target.flush();
            checkUnits(collector, maxUnitSize, "corpus case " + input.name());
        }
    }

    private static void checkUnits(UnitCollector collector, int maxUnitSize, String label) {
        for (int i = 0; i < collector.count(); i++) {
            UnitCollector.Unit unit = collector.units.get(i);
            assertEquals(i + 1, unit.sequence(), "emitted units are numbered without gaps");
            assertTrue(unit.data().length >= 5 && unit.data().length <= maxUnitSize, label + ": " + unit.hex());
            assertArrayEquals(new byte[] {0, 0, 0, 1}, java.util.Arrays.copyOf(unit.data(), 4));
        }
    }

    private static List<ByteBuffer> mutate(List<ByteBuffer> valid, Random random) {
        List<ByteBuffer> packets = new ArrayList<>(valid.size() + 8);
        for (ByteBuffer original : valid) {
            ByteBuffer copy = ByteBuffer.allocate(original.remaining());
            copy.put(original.duplicate()).flip();
            packets.add(copy);
        }
        int mutations = random.nextInt(6);
        for (int m = 0; m < mutations && !packets.isEmpty(); m++) {
            int index = random.nextInt(packets.size());
            ByteBuffer target = packets.get(index);
            int length = target.limit();
            switch (random.nextInt(9)) {
                case 0, 1 -> {
                    int at = 12 + Math.min(random.nextInt(6), Math.max(0, length - 13));
                    if (at < length) {
                        target.put(at, (byte) (target.get(at) ^ (1 << random.nextInt(8))));
                    }
                }
                case 2 -> target.put(random.nextInt(length), (byte) random.nextInt(256));
                case 3 -> target.limit(12 + random.nextInt(Math.max(1, length - 11)));
                case 4 -> packets.remove(index);
                case 5 -> packets.add(index, target.duplicate());
                case 6 -> {
                    int other = random.nextInt(packets.size());
                    packets.set(index, packets.get(other));
                    packets.set(other, target);
                }
                case 7 -> target.put(1, (byte) (target.get(1) ^ 0x80));
                default -> {
                    byte[] garbage = new byte[random.nextInt(40)];
                    random.nextBytes(garbage);
                    ByteBuffer replaced = ByteBuffer.allocate(12 + garbage.length);
                    replaced.put(target.duplicate().limit(12)).put(garbage).flip();
                    if (random.nextBoolean()) {
                        replaced.putInt(4, random.nextInt());
                    }
                    packets.set(index, replaced);
                }
            }
        }
        return packets;
    }
}
