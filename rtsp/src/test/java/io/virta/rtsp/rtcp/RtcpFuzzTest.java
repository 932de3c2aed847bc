package io.virta.rtsp.rtcp;

import io.virta.testkit.FuzzCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded random mutations of valid compound packets: the reader delivers packets and then stops,
 * cleanly or with an error kind, within a bounded number of steps, and never reads outside the
 * window it was given (the bytes around it are poisoned and the window sits inside a larger array).
 * The persisted corpus (src/test/resources/fuzz/RtcpFuzzTest) goes first.
 */
class RtcpFuzzTest {
    private static final long NTP = 0xE93C_7F00_8000_0000L;

    private static final List<byte[]> SEEDS = List.of(
            java.util.HexFormat.of().parseHex( // gst-rtsp-server SR + SDES, as captured
                    "80c8000640e6654ceeb03aaccb20c8cd78d4a2ad000000ce0002dc0d"
                            + "81ca000c40e6654c011c757365723133343636313930363640686f73742d3238626663616163"
                            + "06094753747265616d6572000000"),
            PacketBytes.senderReport(0xDEADBEEFL, NTP, 0x12345678L, 1000, 1_200_000)
                    .append(PacketBytes.cname(0xDEADBEEFL, "camera@192.168.1.64")).array(),
            new PacketBytes().header(false, 1, 200, 12).u32(1).u32(NTP >>> 32).u32(NTP).u32(90000).u32(5).u32(500)
                    .u32(2).u32(3).u32(4).u32(5).u32(6).u32(7)
                    .append(new PacketBytes().header(false, 2, 203, 4).u32(1).u32(2).u8(6).text("reboot").u8(0))
                    .array(),
            new PacketBytes().header(false, 0, 201, 1).u32(3)
                    .append(new PacketBytes().header(true, 1, 203, 2).u32(7).u8(0).u8(0).u8(0).u8(4)).array());

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void mutatedPacketsAreReadOrRejectedCleanly() {
        SplittableRandom random = new SplittableRandom(0x3550);
        CompoundPacketReader reader = new CompoundPacketReader();
        for (FuzzCorpus.Case input : FuzzCorpus.of(RtcpFuzzTest.class)) {
            readAll(reader, input.bytes(), "corpus case " + input.name());
        }
        int delivered = 0;
        int rejected = 0;
        for (int iteration = 0; iteration < 20_000; iteration++) {
            byte[] packet = mutate(SEEDS.get(iteration % SEEDS.size()), random);
            delivered += readAll(reader, packet, "iteration " + iteration);
            if (reader.error() != RtcpError.NONE) {
                rejected++;
            }
        }
        assertTrue(delivered > 1000 && rejected > 1000, "both paths exercised: " + delivered + " / " + rejected);
    }

    /**
     * Reads {@code packet}, placed inside poisoned bytes, to its end or its first error (left in
     * {@code reader.error()}), checking every step; returns the packets delivered.
     */
    private static int readAll(CompoundPacketReader reader, byte[] packet, String label) {
        byte[] surrounded = new byte[packet.length + 64];
        java.util.Arrays.fill(surrounded, (byte) 0xA5);
        System.arraycopy(packet, 0, surrounded, 32, packet.length);
        ByteBuffer window = ByteBuffer.wrap(surrounded, 32, packet.length);
        reader.wrap(window);
        int steps = 0;
        int delivered = 0;
        try {
            while (reader.next()) {
                steps++;
                assertTrue(steps <= packet.length / 4, label + ": more packets than words");
                assertTrue(reader.packetOffset() >= 32);
                assertTrue(reader.packetOffset() + reader.packetLength() <= 32 + packet.length);
                if (reader.isSenderReport()) {
                    reader.ntpTimestamp();
                    reader.rtpTimestamp();
                    reader.senderPacketCount();
                    reader.senderOctetCount();
                    reader.reporterSsrc();
                } else if (reader.isGoodbye()) {
                    for (int i = 0; i < reader.goodbyeSourceCount(); i++) {
                        reader.goodbyeSsrc(i);
                    }
                }
                delivered++;
            }
        } catch (RuntimeException unexpected) {
            fail(label + " threw " + unexpected, unexpected);
        }
        assertEquals(32, window.position(), "the window's position is untouched");
        return delivered;
    }

    @Test
    void statisticsStaySaneUnderRandomSequences() {
        SplittableRandom random = new SplittableRandom(0xA3);
        ReceiverStatistics stats = new ReceiverStatistics(1);
        ReceiverReportWriter writer = new ReceiverReportWriter(2, "fuzz");
        ByteBuffer out = ByteBuffer.allocate(writer.maxLength());
        int sequence = random.nextInt(65536);
        for (int i = 0; i < 200_000; i++) {
            sequence = switch (random.nextInt(10)) {
                case 0 -> random.nextInt(65536);                     // anything at all
                case 1 -> sequence - random.nextInt(200);             // late or duplicate
                case 2 -> sequence + random.nextInt(4000);            // a gap
                default -> sequence + 1;
            };
            stats.onPacket(sequence, random.nextLong(), random.nextLong());
            if (i % 1000 == 0) {
                out.clear();
                writer.write(out, stats, random.nextLong());
                assertTrue(stats.jitter() >= 0 && stats.jitter() <= 0xffff_ffffL);
            }
            int fraction = i % 777 == 0 ? stats.takeFractionLost() : 0;
            assertTrue(fraction >= 0 && fraction <= 255);
        }
    }

    private static byte[] mutate(byte[] original, SplittableRandom random) {
        byte[] bytes = original.clone();
        int length = bytes.length;
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            switch (random.nextInt(5)) {
                case 0 -> bytes[random.nextInt(length)] = (byte) random.nextInt(256);
                case 1 -> bytes[random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
                case 2 -> { // a length field: the most damaging byte of all
                    int header = 4 * random.nextInt(Math.max(1, length / 4));
                    if (header + 3 < length) {
                        bytes[header + 3] = (byte) random.nextInt(256);
                    }
                }
                case 3 -> length = random.nextInt(length + 1);
                default -> bytes[random.nextInt(length)] = (byte) 0x80;
            }
            if (length == 0) {
                break;
            }
        }
        return java.util.Arrays.copyOf(bytes, length);
    }
}
