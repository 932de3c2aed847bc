package io.virta.producer.source.sdp;

import io.virta.rtsp.media.VideoCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link SdpFile} takes from an SDP file, and how it refuses one it cannot use. */
class SdpFileTest {
    private static final Path CAM = Path.of("/etc/virta/cam7.sdp");
    /** What ffmpeg -sdp_file writes for a multicast H264 stream (it ends without a newline). */
    private static final String FFMPEG_MULTICAST = """
            v=0
            o=- 0 0 IN IP4 127.0.0.1
            s=No Name
            c=IN IP4 224.1.168.91/1
            t=0 0
            a=tool:libavformat LIBAVFORMAT_VERSION
            m=video 50010 RTP/AVP 96
            a=rtpmap:96 H264/90000
            a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z0LADdoFB+wEQAAAAwBAAAAMg8UKqA==,aM48gA==; \
            profile-level-id=42C00D""";

    @TempDir
    Path dir;

    @Test
    void ffmpegMulticastFile() throws Exception {
        SdpFile sdp = SdpFile.parse(FFMPEG_MULTICAST, CAM);
        assertTrue(sdp.multicast());
        assertEquals("224.1.168.91", sdp.address().getHostAddress());
        assertEquals(50010, sdp.rtpPort());
        assertEquals(50011, sdp.rtcpPort());
        assertEquals("224.1.168.91:50010", sdp.where());
        assertEquals(VideoCodec.H264, sdp.video().videoCodec().orElseThrow());
        assertEquals(2, sdp.video().parameterSets().size(), "SPS and PPS from sprop-parameter-sets");
    }

    @Test
    void mediaLevelConnectionWinsAndRtcpAttributeIsHonoured() throws Exception {
        SdpFile sdp = SdpFile.parse(session("c=IN IP4 239.1.1.1/16\n") + """
                m=audio 5000 RTP/AVP 0
                m=video 5004 RTP/AVP 96
                c=IN IP4 239.2.2.2/16
                a=rtcp:6001 IN IP4 239.2.2.2
                a=rtpmap:96 H265/90000
                """, CAM);
        assertEquals("239.2.2.2", sdp.address().getHostAddress());
        assertEquals(5004, sdp.rtpPort());
        assertEquals(6001, sdp.rtcpPort());
        assertEquals(VideoCodec.H265, sdp.video().videoCodec().orElseThrow());
    }

    @Test
    void firstVideoWithAKnownCodecIsChosen() throws Exception {
        SdpFile sdp = SdpFile.parse(session("c=IN IP4 127.0.0.1\n") + """
                m=video 5000 RTP/AVP 97
                a=rtpmap:97 VP8/90000
                m=video 5002 RTP/AVP 96
                a=rtpmap:96 H264/90000
                """, CAM);
        assertEquals(5002, sdp.rtpPort());
        assertFalse(sdp.multicast());
    }

    @Test
    void ipv6HostNamesAndWildcard() throws Exception {
        SdpFile v6 = SdpFile.parse(session("c=IN IP6 ff15::1234\n") + h264(5004), CAM);
        assertTrue(v6.multicast());
        assertEquals("[ff15:0:0:0:0:0:0:1234]:5004", v6.where());

        // A host name is never looked up: any local address will do for unicast.
        SdpFile named = SdpFile.parse(session("c=IN IP4 camera.example\n") + h264(5004), CAM);
        assertNull(named.address());
        assertEquals("port 5004", named.where());

        SdpFile wildcard = SdpFile.parse(session("c=IN IP4 0.0.0.0\n") + h264(5004), CAM);
        assertNull(wildcard.address());
        assertFalse(wildcard.multicast());

        SdpFile none = SdpFile.parse(session("") + h264(5004), CAM);
        assertNull(none.address());
    }

    @Test
    void unusableFilesNameTheFileAndTheField() {
        assertRefused(session("c=IN IP4 239.x.1.1\n") + h264(5004), "c=",
                "/etc/virta/cam7.sdp (c=): multicast group 239.x.1.1 is not an IP address");
        assertRefused(session("") + h264(65535), "m=video", "(m=video): port 65535 leaves no port for RTCP");
        assertRefused(session("") + h264(5004) + "a=rtcp:none\n", "a=rtcp",
                "(a=rtcp): \"none\" does not start with a port from 1 to 65535");
        assertRefused(session("") + "m=video 5004 udp 33\n", "m=video",
                "(m=video): protocol udp is not RTP");
        assertRefused(session("") + "m=video 5004 TCP/RTP/AVP 96\na=rtpmap:96 H264/90000\n", "m=video",
                "(m=video): protocol TCP/RTP/AVP is RTP over TCP");
        assertRefused(session("") + "m=video 5004 RTP/AVP 26\n", "a=rtpmap",
                "codec payload type 26 without a=rtpmap is not supported");
        assertRefused(session(""), "m=video", "(m=video): no video track; the file has no m= line at all");
        assertRefused("v=0\nm=video abc RTP/AVP 96\n", "m=", "/etc/virta/cam7.sdp: line 2 (m=)");
    }

    @Test
    void fileProblems() throws Exception {
        SdpSourceException missing = assertThrows(SdpSourceException.class, () -> SdpFile.read(dir.resolve("none.sdp")));
        assertEquals("file", missing.field());
        assertTrue(missing.getMessage().contains("none.sdp does not exist"), missing.getMessage());

        Path big = Files.write(dir.resolve("big.sdp"), new byte[100_000]);
        SdpSourceException tooBig = assertThrows(SdpSourceException.class, () -> SdpFile.read(big));
        assertTrue(tooBig.getMessage().contains("is 100000 bytes"), tooBig.getMessage());

        Path binary = Files.write(dir.resolve("binary.sdp"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        SdpSourceException notText = assertThrows(SdpSourceException.class, () -> SdpFile.read(binary));
        assertTrue(notText.getMessage().contains("is not text"), notText.getMessage());

        Path good = Files.writeString(dir.resolve("good.sdp"), FFMPEG_MULTICAST);
        assertEquals(FFMPEG_MULTICAST, SdpFile.read(good).text());
    }

    /**
     * Seeded mutations of a real file: whatever the bytes, the answer is a description or an
     * {@link SdpSourceException}, never another exception.
     */
    @Test
    void fuzzedFilesGiveADescriptionOrAClearError() {
        Random random = new Random(0x5dbf11e);
        byte[] seed = (FFMPEG_MULTICAST + "\na=rtcp:50011\nm=audio 50012 RTP/AVP 97\na=rtpmap:97 opus/48000/2\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] alphabet = "0123456789 :/=.,;-\nmcaIPV4H26RTAVFx\u0000".getBytes(StandardCharsets.UTF_8);
        int accepted = 0;
        for (int i = 0; i < 8_000; i++) {
            byte[] mutated = mutate(seed, random, alphabet);
            String text = new String(mutated, StandardCharsets.UTF_8);
            try {
                SdpFile sdp = SdpFile.parse(text, CAM);
                accepted++;
                assertTrue(sdp.rtpPort() > 0 && sdp.rtcpPort() <= 65535, "ports in range: " + sdp);
                assertTrue(sdp.video().videoCodec().isPresent());
            } catch (SdpSourceException expected) {
                assertTrue(expected.getMessage().startsWith("/etc/virta/cam7.sdp"),
                        "names the file: " + expected.getMessage());
            } catch (RuntimeException e) {
                throw new AssertionError("mutation " + i + " threw " + e + " for:\n" + text, e);
            }
        }
        assertTrue(accepted > 1000, "the fuzzing also exercised accepted files: " + accepted);
    }

    private static byte[] mutate(byte[] seed, Random random, byte[] alphabet) {
        List<Byte> bytes = new ArrayList<>(seed.length);
        for (byte b : seed) {
            bytes.add(b);
        }
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && !bytes.isEmpty(); e++) {
            int at = random.nextInt(bytes.size());
            switch (random.nextInt(5)) {
                case 0 -> bytes.set(at, alphabet[random.nextInt(alphabet.length)]);
                case 1 -> bytes.add(at, alphabet[random.nextInt(alphabet.length)]);
                case 2 -> bytes.remove(at);
                case 3 -> bytes.subList(at, Math.min(bytes.size(), at + random.nextInt(40))).clear();
                default -> bytes.set(at, (byte) random.nextInt(256));
            }
        }
        byte[] out = new byte[bytes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.get(i);
        }
        return out;
    }

    private static void assertRefused(String text, String field, String expected) {
        SdpSourceException e = assertThrows(SdpSourceException.class, () -> SdpFile.parse(text, CAM));
        assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
    }

    private static String session(String connection) {
        return "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=cam\n" + connection + "t=0 0\n";
    }

    private static String h264(int port) {
        return "m=video " + port + " RTP/AVP 96\na=rtpmap:96 H264/90000\n";
    }
}
