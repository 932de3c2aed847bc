package io.virta.rtsp.rtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class RtpPacketTest {
    private static ByteBuffer hex(String text) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(text.replace(" ", "")));
    }

    /** An H264 FU-A start as an Axis camera sends it: PT 96, no marker. */
    @Test
    void parsesAPlainCameraPacket() {
        ByteBuffer buffer = hex("80 60 1f 40 5e 6a 1b 20 3a 9c 00 11  7c 85 88 84 00 33");
        RtpPacket packet = new RtpPacket();
        assertTrue(packet.wrap(buffer));
        assertEquals(RtpError.NONE, packet.error());
        assertEquals(96, packet.payloadType());
        assertFalse(packet.marker());
        assertEquals(0x1f40, packet.sequenceNumber());
        assertEquals(0x5e6a1b20L, packet.timestamp());
        assertEquals(0x3a9c0011, packet.ssrc());
        assertEquals(0, packet.csrcCount());
        assertFalse(packet.hasExtension());
        assertEquals(12, packet.payloadOffset());
        assertEquals(6, packet.payloadLength());
        assertEquals(0x7c, buffer.get(packet.payloadOffset()));
    }

    @Test
    void readsUnsignedFieldsAtTheirExtremes() {
        RtpPacket packet = RtpPackets.wrap(hex("80 ff ff ff ff ff ff ff ff ff ff ff 01"));
        assertTrue(packet.marker());
        assertEquals(127, packet.payloadType());
        assertEquals(65535, packet.sequenceNumber());
        assertEquals(0xffff_ffffL, packet.timestamp());
        assertEquals(-1, packet.ssrc());
    }

    /** ONVIF replay packets carry a header extension (profile 0xABAC, 3 words); mixers add CSRCs. */
    @Test
    void skipsCsrcsAndHeaderExtension() {
        ByteBuffer buffer = hex("92 e0 00 07 00 00 0b b8 00 00 00 01"
                + " 00 00 00 02 00 00 00 03"
                + " ab ac 00 03 e5 01 02 03 04 05 06 07 08 09 0a 0b"
                + " 65 88 80");
        RtpPacket packet = RtpPackets.wrap(buffer);
        assertEquals(2, packet.csrcCount());
        assertTrue(packet.hasExtension());
        assertEquals(0xabac, packet.extensionProfile());
        assertEquals(24, packet.extensionOffset());
        assertEquals(12, packet.extensionLength());
        assertEquals(36, packet.payloadOffset());
        assertEquals(3, packet.payloadLength());
        assertTrue(packet.marker());
        assertEquals(96, packet.payloadType());
    }

    @Test
    void removesPadding() {
        RtpPacket packet = RtpPackets.wrap(hex("a0 60 00 01 00 00 00 00 00 00 00 01  41 9a 00 00 03"));
        assertEquals(2, packet.payloadLength());
        RtpPacket allPadding = RtpPackets.wrap(hex("a0 60 00 01 00 00 00 00 00 00 00 01  00 00 03"));
        assertEquals(0, allPadding.payloadLength());
    }

    @Test
    void workInsideALargerBufferWithoutMovingIt() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(10);
        buffer.put(HexFormat.of().parseHex("8060abcd000000010000000209"));
        buffer.limit(buffer.position()).position(10);
        RtpPacket packet = RtpPackets.wrap(buffer);
        assertEquals(0xabcd, packet.sequenceNumber());
        assertEquals(10, packet.packetOffset());
        assertEquals(13, packet.packetLength());
        assertEquals(22, packet.payloadOffset());
        assertEquals(1, packet.payloadLength());
        assertEquals(10, buffer.position());
        assertEquals(23, buffer.limit());
    }

    @Test
    void namesWhatIsWrong() {
        assertError(RtpError.TOO_SHORT, "80 60 00 01 00 00 00 00 00 00 00");
        assertError(RtpError.TOO_SHORT, "");
        assertError(RtpError.BAD_VERSION, "40 60 00 01 00 00 00 00 00 00 00 01 00");
        assertError(RtpError.BAD_VERSION, "c0 60 00 01 00 00 00 00 00 00 00 01 00");
        assertError(RtpError.BAD_CSRC_COUNT, "81 60 00 01 00 00 00 00 00 00 00 01 00 00 00");
        assertError(RtpError.BAD_CSRC_COUNT, "8f 60 00 01 00 00 00 00 00 00 00 01");
        assertError(RtpError.BAD_EXTENSION_LENGTH, "90 60 00 01 00 00 00 00 00 00 00 01 ab ac");
        assertError(RtpError.BAD_EXTENSION_LENGTH, "90 60 00 01 00 00 00 00 00 00 00 01 ab ac 00 02 00 00 00 00");
        assertError(RtpError.BAD_PADDING, "a0 60 00 01 00 00 00 00 00 00 00 01 41 00");
        assertError(RtpError.BAD_PADDING, "a0 60 00 01 00 00 00 00 00 00 00 01 41 09");
        assertError(RtpError.BAD_PADDING, "a0 60 00 01 00 00 00 00 00 00 00 01");
        // An RTCP sender report (PT 200) seen by an RTP parser: marker + PT 72.
        assertError(RtpError.RTCP_PAYLOAD_TYPE, "80 c8 00 06 00 00 00 01 00 00 00 01 00 00");
        for (RtpError kind : RtpError.values()) {
            assertFalse(kind.description().isBlank());
        }
    }

    private static void assertError(RtpError expected, String packetHex) {
        RtpPacket packet = new RtpPacket();
        assertFalse(packet.wrap(hex(packetHex)), packetHex);
        assertEquals(expected, packet.error(), packetHex);
        assertTrue(packet.wrap(hex("80 60 00 01 00 00 00 00 00 00 00 01")), "reusable after an error");
        assertEquals(RtpError.NONE, packet.error());
    }

    /** Random mutations of valid packets: each either parses to a payload inside the packet or names an error. */
    @Test
    @Timeout(60)
    void fuzzedPacketsParseOrFailCleanly() {
        Random random = new Random(3550);
        String[] seeds = {
                "80 60 1f 40 5e 6a 1b 20 3a 9c 00 11 7c 85 88 84 00 33",
                "92 e0 00 07 00 00 0b b8 00 00 00 01 00 00 00 02 00 00 00 03 ab ac 00 03 e5 01 02 03 04 05 06 07 08 09 0a 0b 65 88 80",
                "b1 60 00 01 00 00 00 00 00 00 00 01 00 00 00 09 be de 00 01 10 ff 00 00 41 9a 00 00 03",
        };
        RtpPacket packet = new RtpPacket();
        int parsed = 0;
        for (int iteration = 0; iteration < 20_000; iteration++) {
            byte[] bytes = HexFormat.of().parseHex(seeds[iteration % seeds.length].replace(" ", ""));
            int mutations = 1 + random.nextInt(4);
            int length = bytes.length;
            for (int m = 0; m < mutations; m++) {
                switch (random.nextInt(4)) {
                    case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                    case 2 -> length = random.nextInt(length + 1);
                    default -> bytes[random.nextInt(Math.min(4, bytes.length))] = (byte) random.nextInt(256);
                }
            }
            int offset = random.nextInt(3);
            ByteBuffer buffer = ByteBuffer.allocate(offset + length + 5);
            buffer.position(offset);
            buffer.put(bytes, 0, length);
            buffer.limit(offset + length).position(offset);
            if (packet.wrap(buffer)) {
                parsed++;
                assertEquals(RtpError.NONE, packet.error());
                assertTrue(packet.payloadOffset() >= offset + 12);
                assertTrue(packet.payloadLength() >= 0);
                assertTrue(packet.payloadOffset() + packet.payloadLength() <= offset + length);
                assertTrue(packet.sequenceNumber() >= 0 && packet.sequenceNumber() <= 65535);
            } else {
                assertNotEquals(RtpError.NONE, packet.error());
            }
            assertEquals(offset, buffer.position());
            assertEquals(offset + length, buffer.limit());
        }
        assertTrue(parsed > 1000, "the mutations should leave many packets valid: " + parsed);
    }
}
