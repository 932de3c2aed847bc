package io.virta.rtsp.rtcp;

import org.junit.jupiter.api.Test;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** The RR + SDES we send, checked byte for byte against RFC 3550 6.4.2 and 6.5. */
class ReceiverReportWriterTest {
    private static final int OUR_SSRC = 0xAABBCCDD;

    private static ReceiverStatistics sourceWithOneLoss() {
        ReceiverStatistics stats = new ReceiverStatistics(0x1234);
        for (int sequence = 100; sequence <= 110; sequence++) {
            if (sequence != 105) {
                stats.onPacket(sequence, sequence * 3000L, sequence * 3000L + 77);
            }
        }
        stats.onSenderReport(0xE93C_7F00_8000_0000L, 1_000_000);
        return stats;
    }

    @Test
    void receiverReportAndCnameByteForByte() {
        ReceiverReportWriter writer = new ReceiverReportWriter(OUR_SSRC, "virta@h");
        ByteBuffer out = ByteBuffer.allocate(writer.maxLength());
        int written = writer.write(out, sourceWithOneLoss(), 1_250_000);

        byte[] expected = new PacketBytes()
                .header(false, 1, 201, 7).u32(OUR_SSRC & 0xffffffffL)
                .u32(0x1234)
                .u8(25).u8(0).u8(0).u8(1)        // 1 of 10 lost: 256 / 10 = 25; cumulative 1
                .u32(110)                         // extended highest sequence
                .u32(0)                           // jitter: constant transit
                .u32(0x7F00_8000L)                // LSR: middle of the SR's NTP timestamp
                .u32(16384)                       // DLSR: 0.25 s in 1/65536 s
                .header(false, 1, 202, 4).u32(OUR_SSRC & 0xffffffffL)
                .u8(1).u8(7).text("virta@h").u8(0).u8(0).u8(0)
                .array();
        assertEquals(expected.length, written);
        assertEquals(written, out.position());
        assertArrayEquals(expected, Arrays.copyOf(out.array(), written));
        assertEquals(writer.maxLength(), written);
    }

    @Test
    void whatWeWriteReadsBack() {
        ReceiverReportWriter writer = new ReceiverReportWriter(OUR_SSRC, "virta@host.example");
        ByteBuffer out = ByteBuffer.allocateDirect(200).order(ByteOrder.LITTLE_ENDIAN);
        out.position(13);
        int written = writer.write(out, sourceWithOneLoss(), 2_000_000);
        out.flip().position(13);
        CompoundPacketReader reader = new CompoundPacketReader().wrap(out);
        assertTrue(reader.next());
        assertEquals(CompoundPacketReader.RECEIVER_REPORT, reader.packetType());
        assertEquals(1, reader.count());
        assertEquals(OUR_SSRC, reader.reporterSsrc());
        assertEquals(32, reader.packetLength());
        assertTrue(reader.next());
        assertEquals(CompoundPacketReader.SOURCE_DESCRIPTION, reader.packetType());
        assertEquals(13 + written, reader.packetOffset() + reader.packetLength());
        assertFalse(reader.next());
        assertEquals(RtcpError.NONE, reader.error());
    }

    @Test
    void noReportBlockBeforeTheSourceIsValid() {
        ReceiverReportWriter writer = new ReceiverReportWriter(OUR_SSRC, "v");
        ReceiverStatistics onProbation = new ReceiverStatistics(5);
        onProbation.onPacket(1, 0, 0);
        ByteBuffer out = ByteBuffer.allocate(100);
        assertEquals(8 + 12, writer.write(out, onProbation, 0));
        assertEquals((byte) 0x80, out.get(0), "RC = 0");
        assertEquals(1, out.getShort(2), "length field: 8 bytes");
        out.clear();
        assertEquals(8 + 12, writer.writeEmpty(out));
        assertEquals(8 + 12, writer.write(out.clear(), null, 0));
    }

    @Test
    void cnamePaddingAlwaysEndsTheItemListWithAZero() {
        for (int length = 1; length <= 12; length++) {
            ReceiverReportWriter writer = new ReceiverReportWriter(1, "c".repeat(length));
            ByteBuffer out = ByteBuffer.allocate(writer.maxLength());
            int written = writer.writeEmpty(out);
            assertEquals(0, written % 4, "length " + length);
            int padding = written - 8 - 4 - 4 - 2 - length;
            assertTrue(padding >= 1 && padding <= 4, "length " + length + " padding " + padding);
            assertEquals(0, out.get(written - 1));
        }
        assertThrows(IllegalArgumentException.class, () -> new ReceiverReportWriter(1, ""));
        assertThrows(IllegalArgumentException.class, () -> new ReceiverReportWriter(1, "x".repeat(256)));
    }

    @Test
    void cumulativeLossIsClampedToSigned24Bits() {
        ReceiverStatistics stats = new ReceiverStatistics(1);
        stats.onPacket(0, 0, 0);
        stats.onPacket(1, 0, 0);
        int sequence = 1;
        for (int i = 0; i < 3000; i++) {
            sequence = (sequence + 2999) & 0xffff; // 2998 lost each time, 9 million in all
            stats.onPacket(sequence, 0, 0);
        }
        assertTrue(stats.cumulativeLost() > 0x7f_ffff);
        ByteBuffer out = ByteBuffer.allocate(100);
        new ReceiverReportWriter(1, "v").write(out, stats, 0);
        assertEquals(0x7f_ffff, out.getInt(12) & 0xff_ffff);

        ReceiverStatistics duplicates = new ReceiverStatistics(2);
        duplicates.onPacket(0, 0, 0);
        duplicates.onPacket(1, 0, 0);
        duplicates.onPacket(1, 0, 0);
        out.clear();
        new ReceiverReportWriter(1, "v").write(out, duplicates, 0);
        assertEquals(0xff_ffff, out.getInt(12) & 0xff_ffff, "-1 in 24-bit two's complement");
        assertEquals(0, out.get(12), "fraction lost is 0, not negative");
    }

    @Test
    void aShortBufferIsRefusedWithoutWriting() {
        ReceiverReportWriter writer = new ReceiverReportWriter(OUR_SSRC, "virta@h");
        ByteBuffer out = ByteBuffer.allocate(writer.maxLength() - 1);
        assertThrows(BufferOverflowException.class, () -> writer.write(out, sourceWithOneLoss(), 0));
        assertEquals(0, out.position());
        assertArrayEquals(new byte[out.capacity()], out.array());
    }
}
