package io.virta.rtsp.rtcp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-packet RTCP work allocates nothing once compiled. */
class RtcpAllocationTest {

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void readingCountingMappingAndWritingAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        ByteBuffer datagram = ByteBuffer.allocateDirect(256);
        datagram.put(PacketBytes.senderReport(7, 0xE93C_7F00_8000_0000L, 1000, 1, 2)
                .append(PacketBytes.cname(7, "camera")).array()).flip();
        CompoundPacketReader reader = new CompoundPacketReader();
        ReceiverStatistics stats = new ReceiverStatistics(7);
        WallClockMapper clock = new WallClockMapper(90_000);
        ReceiverReportWriter writer = new ReceiverReportWriter(9, "virta@test");
        ByteBuffer out = ByteBuffer.allocateDirect(writer.maxLength());

        double fewest = Double.MAX_VALUE;
        long sink = 0;
        int sequence = 0;
        for (int round = 0; round < 6; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 100_000; i++) {
                reader.wrap(datagram);
                while (reader.next()) {
                    if (reader.isSenderReport()) {
                        stats.onSenderReport(reader.ntpTimestamp(), i);
                        clock.onSenderReport(reader.ntpTimestamp(), reader.rtpTimestamp());
                    }
                }
                sequence++;
                stats.onPacket(sequence & 0xffff, sequence * 3000L, sequence * 3000L + (i & 63));
                sink += clock.toUnixMicros(sequence * 3000L);
                out.clear();
                sink += writer.write(out, stats, i + 100);
            }
            fewest = Math.min(fewest, (threads.getThreadAllocatedBytes(thread) - before) / 100_000.0);
        }
        assertTrue(fewest < 1, "bytes allocated per packet once compiled: " + fewest + " (" + sink + ")");
    }
}
