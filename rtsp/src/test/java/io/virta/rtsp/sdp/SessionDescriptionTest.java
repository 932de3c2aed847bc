package io.virta.rtsp.sdp;

import io.virta.rtsp.media.VideoCodec;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.*;

/** Descriptions as real servers and cameras write them, and the errors a bad one gets. */
class SessionDescriptionTest {

    /** gst-rtsp-server 1.22 (test-launch style, x264enc ! rtph264pay), DESCRIBE body as captured. */
    static final String GSTREAMER_H264 = """
            v=0
            o=- 11633350903838553893 1 IN IP4 127.0.0.1
            s=Session streamed with GStreamer
            i=rtsp-server
            t=0 0
            a=tool:GStreamer
            a=type:broadcast
            a=control:*
            a=range:npt=now-
            m=video 0 RTP/AVP 96
            c=IN IP4 0.0.0.0
            b=AS:2097
            a=rtpmap:96 H264/90000
            a=framerate:25
            a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAFdkBQfsBagwMDUoAAAMAAgAAAwBlHixckA==,aMuMsg==;profile-level-id=42c015;level-asymmetry-allowed=1
            a=control:stream=0
            a=ts-refclk:local
            a=mediaclk:sender
            a=ssrc:3512509004 cname:user727055905@host-94561741
            """.replace("\n", "\r\n");

    /** gst-rtsp-server 1.22 with x265enc ! rtph265pay, as captured. */
    static final String GSTREAMER_H265 = """
            v=0
            o=- 7475216970205410921 1 IN IP4 127.0.0.1
            s=Session streamed with GStreamer
            i=rtsp-server
            t=0 0
            a=tool:GStreamer
            a=type:broadcast
            a=control:*
            a=range:npt=now-
            m=video 0 RTP/AVP 96
            c=IN IP4 0.0.0.0
            a=rtpmap:96 H265/90000
            a=framerate:25
            a=fmtp:96 sprop-vps=QAEMAf//BAgAAAMAmAgAAAMAAD+VmAk=;sprop-sps=QgEBBAgAAAMAmAgAAAMAAD+QAUEB4ilLKzSSZX/4AAgAC1BgYGBAAAADAEAAAAZC;sprop-pps=RAHBcrRiQA==
            a=control:stream=0
            a=ts-refclk:local
            a=mediaclk:sender
            a=ssrc:2244121669 cname:user3024182942@host-fdf761be
            """.replace("\n", "\r\n");

    /** ffmpeg 5.1 {@code -c copy -f rtp rtp://239.1.2.3:5004?ttl=16 -sdp_file}, as written (CRLF). */
    static final String FFMPEG_MULTICAST_H264 = """
            v=0
            o=- 0 0 IN IP4 127.0.0.1
            s=No Name
            c=IN IP4 239.1.2.3/16
            t=0 0
            a=tool:libavformat LIBAVFORMAT_VERSION
            m=video 5004 RTP/AVP 96
            b=AS:56
            a=rtpmap:96 H264/90000
            a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z01ADeygoP2AiAAAAwAIAAADAZB4oUyw,aOvjyyA=; profile-level-id=4D400D
            """.replace("\n", "\r\n");

    /** ffmpeg 5.1, H265 to IPv6 multicast {@code rtp://[ff15::1]:5006}. */
    static final String FFMPEG_MULTICAST_H265_IPV6 = """
            v=0
            o=- 0 0 IN IP6 ::1
            s=No Name
            c=IN IP6 ff15::1
            t=0 0
            a=tool:libavformat LIBAVFORMAT_VERSION
            m=video 5006 RTP/AVP 96
            b=AS:34
            a=rtpmap:96 H265/90000
            a=fmtp:96 sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwA8lZgJ; sprop-sps=QgEBAWAAAAMAkAAAAwAAAwA8oAoIDxZZWaSTK8BaAgAAAwACAAADADIQ; sprop-pps=RAHBcrRiQA==
            """;

    /** Hikvision style: absolute controls carrying a query, a metadata track, spaces after ';'. */
    static final String HIKVISION_STYLE = """
            v=0
            o=- 1109162014219182 1109162014219192 IN IP4 192.168.1.64
            s=Media Presentation
            e=NONE
            b=AS:5100
            t=0 0
            a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast
            m=video 0 RTP/AVP 96
            c=IN IP4 0.0.0.0
            b=AS:5000
            a=recvonly
            a=x-dimensions:1920,1080
            a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast
            a=rtpmap:96 H264/90000
            a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z00AKpY1QPAET8s3AQEBQAABwgAAV+QB,aO48gA==
            m=application 0 RTP/AVP 107
            c=IN IP4 0.0.0.0
            b=AS:50
            a=recvonly
            a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=3?transportmode=unicast
            a=rtpmap:107 isapi.metadata/90000
            a=Media_header:MEDIAINFO=494D4B48010100000400010000000000000000000000000000000000000000000000000000000000;
            a=appversion:1.0
            """.replace("\n", "\r\n");

    /** Axis style: a 20-digit session id, absolute controls with a query, fractional frame rate, audio. */
    static final String AXIS_STYLE = """
            v=0
            o=- 12345678901234567890 1 IN IP4 192.168.0.90
            s=Session streamed with GStreamer
            i=rtsp-server
            e=NONE
            t=0 0
            a=tool:GStreamer
            a=type:broadcast
            a=range:npt=now-
            a=control:rtsp://192.168.0.90:554/axis-media/media.amp?videocodec=h264
            m=video 0 RTP/AVP 96
            c=IN IP4 0.0.0.0
            b=AS:50000
            a=rtpmap:96 H264/90000
            a=fmtp:96 packetization-mode=1;profile-level-id=4d0029;sprop-parameter-sets=Z00AKeKQDwBE/LgLcBAQFAAAD6AAAw1DoYAHQgAF3CfLjQwAOhAALuE+XCg=,aO48gA==
            a=control:rtsp://192.168.0.90:554/axis-media/media.amp/stream=0?videocodec=h264
            a=framerate:29.970000
            a=transform:1,0,0;0,1,0;0,0,1
            m=audio 0 RTP/AVP 97
            c=IN IP4 0.0.0.0
            b=AS:32
            a=rtpmap:97 MPEG4-GENERIC/16000/1
            a=fmtp:97 streamtype=5;profile-level-id=2;mode=AAC-hbr;config=1408;sizelength=13;indexlength=3;indexdeltalength=3
            a=control:rtsp://192.168.0.90:554/axis-media/media.amp/stream=1?videocodec=h264
            """.replace("\n", "\r\n");

    static SessionDescription parse(String text) throws SdpException {
        return SessionDescription.parse(text, "test.sdp");
    }

    @Test
    void gstreamerH264() throws SdpException {
        SessionDescription sdp = parse(GSTREAMER_H264);
        assertEquals("Session streamed with GStreamer", sdp.sessionName());
        assertEquals("11633350903838553893", sdp.origin().orElseThrow().sessionId());
        assertEquals("127.0.0.1", sdp.origin().orElseThrow().address());
        assertEquals("*", sdp.control().orElseThrow());
        assertEquals("npt=now-", sdp.range().orElseThrow());
        assertEquals("broadcast", sdp.attribute("type").orElseThrow());
        assertEquals(1, sdp.media().size());

        MediaDescription video = sdp.media().get(0);
        assertEquals("video", video.type());
        assertTrue(video.isVideo());
        assertEquals(0, video.port());
        assertEquals("RTP/AVP", video.protocol());
        assertEquals(List.of(96), video.payloadTypes());
        assertEquals("0.0.0.0", video.connection().orElseThrow().address());
        assertFalse(video.connection().orElseThrow().isMulticast());
        assertEquals("stream=0", video.control().orElseThrow());
        assertEquals(new RtpMap(96, "H264", 90000, ""), video.rtpMap(96).orElseThrow());
        assertEquals(25.0, video.frameRate().orElseThrow());
        assertEquals(Direction.SENDRECV, video.direction());
        assertEquals("local", video.attribute("ts-refclk").orElseThrow());

        Map<String, String> fmtp = video.formatParameters(96);
        assertEquals("1", fmtp.get("packetization-mode"));
        assertEquals("42c015", fmtp.get("profile-level-id"));
        assertEquals("1", fmtp.get("level-asymmetry-allowed"));

        VideoFormat format = video.videoFormat().orElseThrow();
        assertEquals(VideoCodec.H264, format.codec());
        assertEquals(96, format.payloadType());
        assertEquals(90000, format.clockRate());
        assertEquals(OptionalInt.of(0x42c015), format.profileLevelId());
        assertEquals(1, format.packetizationMode());
        List<byte[]> sets = video.parameterSets();
        assertEquals(2, sets.size());
        assertArrayEquals(Base64.getDecoder().decode("Z0LAFdkBQfsBagwMDUoAAAMAAgAAAwBlHixckA=="), sets.get(0));
        assertEquals(7, sets.get(0)[0] & 0x1f, "SPS first");
        assertArrayEquals(new byte[] {0x68, (byte) 0xcb, (byte) 0x8c, (byte) 0xb2}, sets.get(1));
        assertSame(video, sdp.firstVideoMedia().orElseThrow());
    }

    @Test
    void gstreamerH265ParameterSetsComeOutVpsSpsPps() throws SdpException {
        MediaDescription video = parse(GSTREAMER_H265).firstVideoMedia().orElseThrow();
        assertEquals(VideoCodec.H265, video.videoCodec().orElseThrow());
        List<byte[]> sets = video.parameterSets();
        assertEquals(3, sets.size());
        // H265 NAL type is bits 1..6 of the first byte: VPS 32, SPS 33, PPS 34.
        assertEquals(32, (sets.get(0)[0] >> 1) & 0x3f);
        assertEquals(33, (sets.get(1)[0] >> 1) & 0x3f);
        assertEquals(34, (sets.get(2)[0] >> 1) & 0x3f);
        assertEquals(7, sets.get(2).length);
        assertTrue(video.videoFormat().orElseThrow().profileLevelId().isEmpty());
        assertEquals(0, video.videoFormat().orElseThrow().packetizationMode());
    }

    @Test
    void ffmpegMulticastH264() throws SdpException {
        SessionDescription sdp = parse(FFMPEG_MULTICAST_H264);
        Connection connection = sdp.connection().orElseThrow();
        assertEquals("IN", connection.networkType());
        assertEquals("IP4", connection.addressType());
        assertEquals("239.1.2.3", connection.address());
        assertEquals(OptionalInt.of(16), connection.ttl());
        assertEquals(1, connection.addressCount());
        assertTrue(connection.isMulticast());

        MediaDescription video = sdp.media().get(0);
        assertEquals(5004, video.port());
        assertEquals(connection, video.connection().orElseThrow(), "falls back to the session's c=");
        assertTrue(video.control().isEmpty());
        VideoFormat format = video.videoFormat().orElseThrow();
        assertEquals(OptionalInt.of(0x4d400d), format.profileLevelId());
        assertEquals(1, format.packetizationMode());
        assertEquals(2, format.parameterSets().size());
    }

    @Test
    void ffmpegMulticastH265OverIpv6WithLfLineEndings() throws SdpException {
        SessionDescription sdp = parse(FFMPEG_MULTICAST_H265_IPV6);
        Connection connection = sdp.connection().orElseThrow();
        assertEquals("ff15::1", connection.address());
        assertTrue(connection.ttl().isEmpty());
        assertTrue(connection.isMulticast());
        MediaDescription video = sdp.media().get(0);
        assertEquals(5006, video.port());
        assertEquals(VideoCodec.H265, video.videoCodec().orElseThrow());
        assertEquals(3, video.parameterSets().size());
    }

    @Test
    void hikvisionStyleWithMetadataTrack() throws SdpException {
        SessionDescription sdp = parse(HIKVISION_STYLE);
        assertEquals(2, sdp.media().size());
        MediaDescription video = sdp.media().get(0);
        assertEquals(Direction.RECVONLY, video.direction());
        assertEquals("1920,1080", video.attribute("x-dimensions").orElseThrow());
        assertEquals(OptionalInt.of(0x420029), video.videoFormat().orElseThrow().profileLevelId());
        assertEquals(2, video.parameterSets().size());

        MediaDescription metadata = sdp.media().get(1);
        assertEquals("application", metadata.type());
        assertTrue(metadata.videoFormat().isEmpty());
        assertEquals("isapi.metadata", metadata.rtpMap(107).orElseThrow().encodingName());
        assertTrue(metadata.attribute("media_header").orElseThrow().startsWith("MEDIAINFO="));
    }

    @Test
    void axisStyleWithAudio() throws SdpException {
        SessionDescription sdp = parse(AXIS_STYLE);
        assertEquals("12345678901234567890", sdp.origin().orElseThrow().sessionId());
        MediaDescription video = sdp.media().get(0);
        assertEquals(29.97, video.frameRate().orElseThrow(), 1e-9);
        assertEquals("1,0,0;0,1,0;0,0,1", video.attribute("transform").orElseThrow());
        assertEquals(2, video.parameterSets().size());

        MediaDescription audio = sdp.media().get(1);
        assertEquals("audio", audio.type());
        assertTrue(audio.videoCodec().isEmpty());
        assertTrue(audio.parameterSets().isEmpty());
        assertEquals(new RtpMap(97, "MPEG4-GENERIC", 16000, "1"), audio.rtpMap(97).orElseThrow());
        assertEquals("AAC-hbr", audio.formatParameters(97).get("mode"));
        assertEquals("1408", audio.formatParameters(97).get("config"));
    }

    @Test
    void lfAndCrlfGiveTheSameResult() throws SdpException {
        String lf = GSTREAMER_H264.replace("\r\n", "\n");
        assertEquals(parse(GSTREAMER_H264).toString(), parse(lf).toString());
        assertEquals(parse(GSTREAMER_H264).media().get(0).attributes(), parse(lf).media().get(0).attributes());
    }

    @Test
    void encodingNamesAreCaseInsensitiveAndHevcIsNotH265() throws SdpException {
        MediaDescription lower = parse(video("a=rtpmap:96 h264/90000")).media().get(0);
        assertEquals(VideoCodec.H264, lower.videoCodec().orElseThrow());
        MediaDescription hevc = parse(video("a=rtpmap:96 HEVC/90000")).media().get(0);
        assertTrue(hevc.videoCodec().isEmpty(), "RFC 7798 registers H265; HEVC is not an RTP name");
    }

    @Test
    void theFirstSupportedPayloadTypeWins() throws SdpException {
        String sdp = """
                v=0
                s=-
                m=video 0 RTP/AVP 98 96 97
                a=rtpmap:96 H264/90000
                a=rtpmap:97 H265/90000
                a=rtpmap:98 VP8/90000
                """;
        VideoFormat format = parse(sdp).media().get(0).videoFormat().orElseThrow();
        assertEquals(96, format.payloadType());
        assertEquals(0, format.packetizationMode(), "RFC 6184 default when fmtp is absent");
        assertTrue(format.parameterSets().isEmpty());
    }

    @Test
    void ppsBeforeSpsIsReordered() throws SdpException {
        MediaDescription video = parse(video("a=rtpmap:96 H264/90000",
                "a=fmtp:96 sprop-parameter-sets=aMuMsg==,Z0LAFdkBQfsBagwMDUoAAAMAAgAAAwBlHixckA==,")).media().get(0);
        List<byte[]> sets = video.parameterSets();
        assertEquals(2, sets.size(), "the empty entry after the trailing comma is skipped");
        assertEquals(7, sets.get(0)[0] & 0x1f);
        assertEquals(8, sets.get(1)[0] & 0x1f);
    }

    @Test
    void parameterSetsAreCopies() throws SdpException {
        MediaDescription video = parse(GSTREAMER_H264).media().get(0);
        video.parameterSets().get(0)[0] = 0;
        assertEquals(0x67, video.parameterSets().get(0)[0]);
    }

    @Test
    void multicastTtlAndAddressCount() throws SdpException {
        Connection connection = parse("v=0\nc=IN IP4 224.2.1.1/127/3\n").connection().orElseThrow();
        assertEquals("224.2.1.1", connection.address());
        assertEquals(OptionalInt.of(127), connection.ttl());
        assertEquals(3, connection.addressCount());
        Connection ipv6 = parse("v=0\nc=IN IP6 FF15::101/3\n").connection().orElseThrow();
        assertEquals(3, ipv6.addressCount());
        assertTrue(ipv6.isMulticast());
    }

    @Test
    void mediaConnectionOverridesTheSessionsAndPortCountsParse() throws SdpException {
        String sdp = """
                v=0
                c=IN IP4 239.0.0.1/8
                m=video 5004/2 RTP/AVPF 96
                c=IN IP4 239.0.0.2/8
                a=rtpmap:96 H264/90000
                a=sendonly
                """;
        MediaDescription video = parse(sdp).media().get(0);
        assertEquals("239.0.0.2", video.connection().orElseThrow().address());
        assertEquals(2, video.portCount());
        assertEquals("RTP/AVPF", video.protocol());
        assertEquals(Direction.SENDONLY, video.direction());
    }

    @Test
    void sessionDirectionIsInherited() throws SdpException {
        SessionDescription sdp = parse("v=0\na=recvonly\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\n");
        assertEquals(Direction.RECVONLY, sdp.direction());
        assertEquals(Direction.RECVONLY, sdp.media().get(0).direction());
    }

    @Test
    void unknownLinesAndAttributesAreTolerated() throws SdpException {
        String sdp = """
                v=0
                o=only three fields
                s=x
                this line is not SDP at all
                x-vendor=1
                z=0 -1h
                a=
                a=x-weird:::
                m=video 0 RTP/AVP 96
                k=clear:secret
                a=rtpmap:96 H264/90000
                a=framerate:fast
                a=fmtp:96 profile-level-id=42xyz1;;packetization-mode=1;flag
                """;
        SessionDescription parsed = parse(sdp);
        assertTrue(parsed.origin().isEmpty(), "a malformed origin is dropped, not fatal");
        MediaDescription video = parsed.media().get(0);
        assertTrue(video.frameRate().isEmpty());
        assertEquals("", video.formatParameters(96).get("flag"));
        VideoFormat format = video.videoFormat().orElseThrow();
        assertTrue(format.profileLevelId().isEmpty());
        assertEquals(1, format.packetizationMode());
    }

    @Test
    void nonRtpMediaKeepsItsFormats() throws SdpException {
        MediaDescription media = parse("v=0\nm=application 9 TCP/BFCP *\na=fmtp:* x\n").media().get(0);
        assertFalse(media.isRtp());
        assertEquals(List.of("*"), media.formats());
        assertEquals(List.of(), media.payloadTypes());
    }

    // --- errors: each names the source, the line and the field ---

    @Test
    void notSdpAtAll() {
        SdpException error = assertThrows(SdpException.class,
                () -> SessionDescription.parse("<html><body>401</body></html>", "rtsp://cam/live"));
        assertEquals("rtsp://cam/live: line 1 (v=): the first line must be v=0, found \"<html><body>401</body></html>\"",
                error.getMessage());
        assertEquals("rtsp://cam/live", error.sourceName());
        assertEquals(1, error.lineNumber());
        assertEquals("v=", error.field());
        assertThrows(SdpException.class, () -> parse(""));
        assertThrows(SdpException.class, () -> parse(null));
        assertThrows(SdpException.class, () -> parse("v=1\n"));
    }

    @Test
    void badClockRate() {
        SdpException error = assertThrows(SdpException.class, () -> parse(video("a=rtpmap:96 H264/9OOOO")));
        assertEquals("test.sdp: line 4 (a=rtpmap): clock rate \"9OOOO\" is not a number from 1 to 2147483647",
                error.getMessage());
    }

    @Test
    void badRtpMaps() {
        assertField("a=rtpmap", 4, video("a=rtpmap:96"));
        assertField("a=rtpmap", 4, video("a=rtpmap:96 H264"));
        assertField("a=rtpmap", 4, video("a=rtpmap:300 H264/90000"));
        assertField("a=rtpmap", 4, video("a=rtpmap:x H264/90000"));
        assertField("a=rtpmap", 4, video("a=rtpmap:96 /90000"));
        assertField("a=rtpmap", 4, video("a=rtpmap:96 H264/0"));
    }

    @Test
    void badMediaLines() {
        assertField("m=", 2, "v=0\nm=video 0\n");
        assertField("m=", 2, "v=0\nm=video 70000 RTP/AVP 96\n");
        assertField("m=", 2, "v=0\nm=video 5004/0 RTP/AVP 96\n");
        assertField("m=", 2, "v=0\nm=video 0 RTP/AVP 96 h264\n");
    }

    @Test
    void badConnections() {
        assertField("c=", 2, "v=0\nc=IN IP4\n");
        assertField("c=", 2, "v=0\nc=IN IP4 224.1.2.3/300\n");
        assertField("c=", 2, "v=0\nc=IN IP4 224.1.2.3/1/0\n");
        assertField("c=", 2, "v=0\nc=IN IP6 ff15::1/1/2\n");
        assertField("c=", 2, "v=0\nc=IN IP4 /5\n");
    }

    @Test
    void badBase64NamesTheAttributeAndEntry() {
        SdpException error = assertThrows(SdpException.class, () -> parse(video("a=rtpmap:96 H264/90000",
                "a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAFdkB,aM*Msg==")));
        assertEquals("test.sdp: line 5 (a=fmtp sprop-parameter-sets): entry 2 is not valid base64: \"aM*Msg==\"",
                error.getMessage());
        assertField("a=fmtp sprop-pps", 5, video("a=rtpmap:96 H265/90000", "a=fmtp:96 sprop-pps=%%%"));
    }

    @Test
    void badPacketizationMode() {
        assertField("a=fmtp packetization-mode", 5,
                video("a=rtpmap:96 H264/90000", "a=fmtp:96 packetization-mode=3"));
        assertField("a=fmtp", 5, video("a=rtpmap:96 H264/90000", "a=fmtp:abc packetization-mode=1"));
    }

    @Test
    void errorMessagesQuoteUntrustedTextSafely() {
        String hostile = "v=0\nm=video \u0000\u0007" + "9".repeat(500) + " RTP/AVP 96\n";
        SdpException error = assertThrows(SdpException.class, () -> parse(hostile));
        assertTrue(error.getMessage().length() < 200, error.getMessage());
        assertFalse(error.getMessage().chars().anyMatch(c -> c < ' '), error.getMessage());
    }

    @Test
    void oversizedInputIsRefused() {
        String huge = "v=0\n" + "a=x\n".repeat(SdpParser.MAX_LENGTH / 4);
        assertField("v=", 0, huge);
    }

    private static String video(String... lines) {
        return "v=0\ns=-\nm=video 0 RTP/AVP 96\n" + String.join("\n", lines) + "\n";
    }

    private static void assertField(String field, int line, String sdp) {
        SdpException error = assertThrows(SdpException.class, () -> parse(sdp), sdp);
        assertEquals(field, error.field(), error.getMessage());
        assertEquals(line, error.lineNumber(), error.getMessage());
        assertTrue(error.getMessage().startsWith("test.sdp"), error.getMessage());
    }
}
