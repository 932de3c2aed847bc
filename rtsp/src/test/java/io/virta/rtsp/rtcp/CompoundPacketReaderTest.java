package io.virta.rtsp.rtcp;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

/** Compound packets built byte by byte from the RFC 3550 section 6 diagrams. */
class CompoundPacketReaderTest {
    private static final long NTP = 0xE93C_7F00_8000_0000L; // 2024-01-01 00:00:00.5 UTC
    private final CompoundPacketReader reader = new CompoundPacketReader();

    @Test
    void senderReportAndSdesAsACameraSendsThem() {
        ByteBuffer datagram = PacketBytes.senderReport(0xDEADBEEFL, NTP, 0x12345678L, 1000, 1_200_000)
                .append(PacketBytes.cname(0xDEADBEEFL, "camera@192.168.1.64")).buffer();
        reader.wrap(datagram);

        assertTrue(reader.next());
        assertTrue(reader.isSenderReport());
        assertEquals(CompoundPacketReader.SENDER_REPORT, reader.packetType());
        assertEquals(0, reader.count());
        assertEquals(0, reader.packetOffset());
        assertEquals(28, reader.packetLength());
        assertEquals(0xDEADBEEF, reader.reporterSsrc());
        assertEquals(NTP, reader.ntpTimestamp());
        assertEquals(0x12345678L, reader.rtpTimestamp());
        assertEquals(1000, reader.senderPacketCount());
        assertEquals(1_200_000, reader.senderOctetCount());

        assertTrue(reader.next());
        assertEquals(CompoundPacketReader.SOURCE_DESCRIPTION, reader.packetType());
        assertFalse(reader.isSenderReport());
        assertEquals(28, reader.packetOffset());

        assertFalse(reader.next());
        assertEquals(RtcpError.NONE, reader.error());
        assertEquals(0, datagram.position(), "the reader never moves the buffer's position");
    }

    @Test
    void gstreamerSenderReportAsCaptured() {
        // gst-rtsp-server 1.22 over RTSP/TCP interleaved channel 1: SR, then SDES with CNAME and TOOL.
        // It arrived at Unix time 1795537964.794233 s by the same host's clock.
        ByteBuffer datagram = ByteBuffer.wrap(HexFormat.of().parseHex(
                "80c8000640e6654ceeb03aaccb20c8cd78d4a2ad000000ce0002dc0d"
                        + "81ca000c40e6654c011c757365723133343636313930363640686f73742d3238626663616163"
                        + "06094753747265616d6572000000"));
        reader.wrap(datagram);
        assertTrue(reader.next());
        assertTrue(reader.isSenderReport());
        assertEquals(0x40E6654C, reader.reporterSsrc(), "the ssrc= of its SETUP Transport header");
        assertEquals(0xEEB03AACCB20C8CDL, reader.ntpTimestamp());
        assertEquals(1795537964793468L, NtpTime.toUnixMicros(reader.ntpTimestamp()));
        assertEquals(0x78D4A2ADL, reader.rtpTimestamp());
        assertEquals(206, reader.senderPacketCount());
        assertEquals(187405, reader.senderOctetCount());
        assertTrue(reader.next());
        assertEquals(CompoundPacketReader.SOURCE_DESCRIPTION, reader.packetType());
        assertEquals(52, reader.packetLength());
        assertFalse(reader.next());
        assertEquals(RtcpError.NONE, reader.error());
    }

    @Test
    void unsignedFieldsStayUnsigned() {
        reader.wrap(PacketBytes.senderReport(0xFFFFFFFFL, -1L, 0xFFFFFFFFL, 0xFFFFFFFFL, 0x80000000L).buffer());
        assertTrue(reader.next());
        assertEquals(-1, reader.reporterSsrc());
        assertEquals(-1L, reader.ntpTimestamp());
        assertEquals(0xFFFFFFFFL, reader.rtpTimestamp());
        assertEquals(0xFFFFFFFFL, reader.senderPacketCount());
        assertEquals(0x80000000L, reader.senderOctetCount());
    }

    @Test
    void senderReportWithReportBlocksAndAnRrByeAndApp() {
        PacketBytes srWithBlock = new PacketBytes().header(false, 1, 200, 12).u32(1).u32(NTP >>> 32).u32(NTP)
                .u32(90000).u32(5).u32(500)
                .u32(2).u32(0x0A000003).u32(0x0001_0010).u32(42).u32(0x1234_5678).u32(0x10000);
        PacketBytes receiverReport = new PacketBytes().header(false, 0, 201, 1).u32(3);
        PacketBytes bye = new PacketBytes().header(false, 2, 203, 4).u32(1).u32(0xCAFEBABEL)
                .u8(6).text("reboot").u8(0);
        PacketBytes app = new PacketBytes().header(false, 5, 204, 2).u32(1).text("VIRT");
        reader.wrap(srWithBlock.append(receiverReport).append(bye).append(app).buffer());

        assertTrue(reader.next());
        assertEquals(1, reader.count());
        assertEquals(52, reader.packetLength());
        assertEquals(90000, reader.rtpTimestamp());
        assertTrue(reader.next());
        assertEquals(CompoundPacketReader.RECEIVER_REPORT, reader.packetType());
        assertEquals(3, reader.reporterSsrc());
        assertTrue(reader.next());
        assertTrue(reader.isGoodbye());
        assertEquals(2, reader.goodbyeSourceCount());
        assertEquals(1, reader.goodbyeSsrc(0));
        assertEquals(0xCAFEBABE, reader.goodbyeSsrc(1));
        assertThrows(IndexOutOfBoundsException.class, () -> reader.goodbyeSsrc(2));
        assertTrue(reader.next());
        assertEquals(CompoundPacketReader.APPLICATION, reader.packetType());
        assertEquals(5, reader.count(), "the subtype");
        assertFalse(reader.next());
        assertEquals(RtcpError.NONE, reader.error());
    }

    @Test
    void paddingOnTheLastPacketIsExcluded() {
        PacketBytes paddedBye = new PacketBytes().header(true, 1, 203, 2).u32(7).u8(0).u8(0).u8(0).u8(4);
        reader.wrap(PacketBytes.senderReport(7, NTP, 0, 0, 0).append(paddedBye).buffer());
        assertTrue(reader.next());
        assertTrue(reader.next());
        assertTrue(reader.isGoodbye());
        assertEquals(8, reader.packetLength());
        assertFalse(reader.next());
        assertEquals(RtcpError.NONE, reader.error());
    }

    @Test
    void readsFromPositionToLimitInAnyByteOrder() {
        byte[] sr = PacketBytes.senderReport(0x01020304L, NTP, 77, 1, 2).array();
        ByteBuffer buffer = ByteBuffer.allocateDirect(100).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(10);
        buffer.put(sr);
        buffer.put(new byte[] {(byte) 0xff, (byte) 0xff}); // beyond the limit: must not be read
        buffer.position(10).limit(10 + sr.length);
        reader.wrap(buffer);
        assertTrue(reader.next());
        assertEquals(10, reader.packetOffset());
        assertEquals(0x01020304, reader.reporterSsrc());
        assertEquals(NTP, reader.ntpTimestamp());
        assertFalse(reader.next());
        assertEquals(RtcpError.NONE, reader.error());
    }

    @Test
    void eachMalformationHasItsKind() {
        assertError(RtcpError.EMPTY, new byte[0]);
        assertError(RtcpError.TRUNCATED_HEADER, new byte[] {(byte) 0x80, (byte) 200, 0});
        assertError(RtcpError.BAD_VERSION, new PacketBytes().u8(0x40).u8(200).u16(0).array());
        assertError(RtcpError.NOT_RTCP, new PacketBytes().header(false, 0, 96, 0).array());
        assertError(RtcpError.NOT_RTCP, new PacketBytes().header(false, 0, 224, 0).array());
        assertError(RtcpError.LENGTH_EXCEEDS_DATA, new PacketBytes().header(false, 0, 201, 2).u32(1).array());
        assertError(RtcpError.PADDING_NOT_LAST, new PacketBytes().header(true, 0, 201, 1).u32(1)
                .append(PacketBytes.cname(1, "x")).array());
        assertError(RtcpError.BAD_PADDING, new PacketBytes().header(true, 0, 201, 1).u32(0).array());
        assertError(RtcpError.BAD_PADDING, new PacketBytes().header(true, 0, 201, 1).u32(9).array());
        assertError(RtcpError.SENDER_REPORT_TOO_SHORT, new PacketBytes().header(false, 0, 200, 1).u32(1).array());
        assertError(RtcpError.SENDER_REPORT_TOO_SHORT, PacketBytes.senderReport(1, NTP, 0, 0, 0).array(), 1);
        assertError(RtcpError.RECEIVER_REPORT_TOO_SHORT, new PacketBytes().header(false, 1, 201, 1).u32(1).array());
        assertError(RtcpError.GOODBYE_TOO_SHORT, new PacketBytes().header(false, 3, 203, 1).u32(1).array());
    }

    @Test
    void packetsBeforeAMalformedOneAreStillDelivered() {
        reader.wrap(PacketBytes.senderReport(5, NTP, 1, 2, 3).u8(0x80).buffer());
        assertTrue(reader.next());
        assertTrue(reader.isSenderReport());
        assertFalse(reader.next());
        assertEquals(RtcpError.TRUNCATED_HEADER, reader.error());
        assertFalse(reader.isSenderReport());
        assertFalse(reader.next(), "stays stopped");

        reader.wrap(PacketBytes.senderReport(5, NTP, 1, 2, 3).buffer());
        assertEquals(RtcpError.NONE, reader.error(), "wrap starts afresh");
        assertTrue(reader.next());
    }

    @Test
    void accessorsNeedAMatchingCurrentPacket() {
        assertFalse(new CompoundPacketReader().next(), "nothing wrapped yet");
        reader.wrap(PacketBytes.cname(1, "a").buffer());
        assertThrows(IllegalStateException.class, reader::packetType);
        assertTrue(reader.next());
        assertThrows(IllegalStateException.class, reader::ntpTimestamp);
        assertThrows(IllegalStateException.class, reader::goodbyeSourceCount);
        assertFalse(reader.next());
        assertThrows(IllegalStateException.class, reader::packetLength);
    }

    /** Sets the count field of the first packet to {@code count} before reading. */
    private void assertError(RtcpError expected, byte[] bytes, int count) {
        bytes[0] = (byte) ((bytes[0] & 0xe0) | count);
        assertError(expected, bytes);
    }

    private void assertError(RtcpError expected, byte[] bytes) {
        reader.wrap(ByteBuffer.wrap(bytes));
        while (reader.next()) {
            // skip the valid ones
        }
        assertEquals(expected, reader.error());
    }
}
