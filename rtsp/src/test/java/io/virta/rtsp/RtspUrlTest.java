package io.virta.rtsp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RtspUrlTest {
    @Test
    void credentialsEndAtTheLastAtSign() {
        RtspUrl url = RtspUrl.parse("rtsp://admin:p@ss/w#rd@192.168.1.10:8554/Streaming/Channels/101?transportmode=unicast");
        assertEquals("admin", url.user());
        assertEquals("p@ss/w#rd", url.password());
        assertEquals("192.168.1.10", url.host());
        assertEquals(8554, url.port());
        assertEquals("rtsp://192.168.1.10:8554/Streaming/Channels/101?transportmode=unicast", url.requestUri());
        assertFalse(url.toString().contains("p@ss"));
    }

    @Test
    void defaultsAndPercentEncoding() {
        RtspUrl url = RtspUrl.parse("rtsp://user%40corp:a%3Ab@cam.local");
        assertEquals("user@corp", url.user());
        assertEquals("a:b", url.password());
        assertEquals(554, url.port());
        assertEquals("rtsp://cam.local/", url.requestUri());
        assertNull(RtspUrl.parse("rtsp://[::1]:10554/x").user());
        assertEquals("[::1]", RtspUrl.parse("rtsp://[::1]:10554/x").host());
    }

    @Test
    void badUrlsNameTheProblemButNotThePassword() {
        var e = assertThrows(IllegalArgumentException.class, () -> RtspUrl.parse("http://u:secret@h/"));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RtspUrl.parse("rtsp://u:secret@h:99999/"));
        assertTrue(e.getMessage().contains("99999") && !e.getMessage().contains("secret"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RtspUrl.parse("rtsp:///path"));
    }

    @Test
    void redactsUrlsInsideText() {
        assertEquals("connect to rtsp://***@h:554/a failed; rtsp://h/b fine",
                RtspUrl.redact("connect to rtsp://u:p@h:554/a failed; rtsp://h/b fine"));
    }

    @Test
    void shownUrlsAreBuiltFromTheirPartsWhateverThePasswordHolds() {
        for (String password : new String[] {"pa ss", "pa\"ss", "a@b:c/d", "100%", "\u00e4\u6f22 x", "a\tb'c#d?e"}) {
            String shown = RtspUrl.shown("rtsp://admin:" + password + "@10.0.0.5:8554/Streaming/101?x=1");
            assertEquals("rtsp://***@10.0.0.5:8554/Streaming/101?x=1", shown, password);
            assertEquals("http://***@cam/live.m3u8", RtspUrl.shown("http://admin:" + password + "@cam/live.m3u8"));
            // Invalid, so not parsed: still split at the last '@', and the error quotes the same form.
            String error = assertThrows(IllegalArgumentException.class,
                    () -> RtspUrl.parse("rtsp://admin:" + password + "@cam:99999/x")).getMessage();
            assertEquals("'rtsp://***@cam:99999/x': port '99999' is not 1..65535", error);
        }
        assertEquals("rtsp://cam/1", RtspUrl.shown("rtsp://cam/1"));
        assertEquals("/videos/a@b.mkv", RtspUrl.shown("/videos/a@b.mkv"));
        assertEquals("file:///videos/a@b.mkv", RtspUrl.shown("file:///videos/a@b.mkv"));
    }

    @Test
    void transportAndSessionHeaders() throws Exception {
        TransportHeader t = TransportHeader.parse("RTP/AVP;unicast;client_port=50000-50001;server_port=6970-6971;ssrc=1A2B3C4D;mode=\"PLAY\"");
        assertFalse(t.tcp());
        assertEquals(6970, t.serverRtpPort());
        assertEquals(6971, t.serverRtcpPort());
        assertEquals("1A2B3C4D", t.ssrc());
        TransportHeader tcp = TransportHeader.parse("RTP/AVP/TCP;unicast;interleaved=2-3");
        assertTrue(tcp.tcp());
        assertEquals(2, tcp.rtpChannel());
        assertEquals("RTP/AVP/TCP;unicast;interleaved=0-1", TransportHeader.interleaved(0).toRequestValue());
        assertThrows(RtspProtocolException.class, () -> TransportHeader.parse("RTP/AVP/TCP;unicast"));
        assertThrows(RtspProtocolException.class, () -> TransportHeader.parse("RTP/AVP;client_port=x-y"));
        assertEquals(new SessionHeader("47112344", 30), SessionHeader.parse("47112344;timeout=30"));
        assertEquals(60, SessionHeader.parse("abc").timeoutSeconds());
        assertThrows(RtspProtocolException.class, () -> SessionHeader.parse(" ;timeout=3"));
    }
}
