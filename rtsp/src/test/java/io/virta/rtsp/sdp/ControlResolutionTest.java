package io.virta.rtsp.sdp;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.*;

/** Which URL each server expects in SETUP, from its DESCRIBE answer (RFC 2326 C.1.1 as practised). */
class ControlResolutionTest {

    @Test
    void gstreamerRelativeControlAgainstContentBase() throws SdpException {
        SessionDescription sdp = SessionDescription.parse(SessionDescriptionTest.GSTREAMER_H264, "gst");
        URI request = URI.create("rtsp://127.0.0.1:8554/test");
        String contentBase = "rtsp://127.0.0.1:8554/test/"; // what gst-rtsp-server sends
        assertEquals(URI.create("rtsp://127.0.0.1:8554/test/stream=0"),
                sdp.resolveControl(sdp.media().get(0), request, contentBase));
        assertEquals(URI.create("rtsp://127.0.0.1:8554/test/"), sdp.resolveAggregateControl(request, contentBase));
    }

    @Test
    void withoutContentBaseTheRequestUrlIsTreatedAsADirectory() throws SdpException {
        SessionDescription sdp = SessionDescription.parse(SessionDescriptionTest.GSTREAMER_H264, "gst");
        URI request = URI.create("rtsp://h/cam");
        assertEquals(URI.create("rtsp://h/cam/stream=0"), sdp.resolveControl(sdp.media().get(0), request, null));
        assertEquals(URI.create("rtsp://h/cam/stream=0"), sdp.resolveControl(sdp.media().get(0), request, "  "));
        assertEquals(URI.create("rtsp://h/cam"), sdp.resolveAggregateControl(request, null));
    }

    @Test
    void hikvisionAbsoluteControlsAreUsedAsIs() throws SdpException {
        SessionDescription sdp = SessionDescription.parse(SessionDescriptionTest.HIKVISION_STYLE, "hik");
        URI request = URI.create("rtsp://192.168.1.64:554/Streaming/Channels/101");
        assertEquals(URI.create("rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast"),
                sdp.resolveControl(sdp.media().get(0), request, "rtsp://192.168.1.64:554/Streaming/Channels/101/"));
        assertEquals(URI.create("rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast"),
                sdp.resolveAggregateControl(request, null));
    }

    @Test
    void axisAbsoluteControls() throws SdpException {
        SessionDescription sdp = SessionDescription.parse(SessionDescriptionTest.AXIS_STYLE, "axis");
        URI request = URI.create("rtsp://192.168.0.90/axis-media/media.amp?videocodec=h264");
        assertEquals(URI.create("rtsp://192.168.0.90:554/axis-media/media.amp/stream=1?videocodec=h264"),
                sdp.resolveControl(sdp.media().get(1), request, null));
    }

    @Test
    void dahuaQueryBaseKeepsTheQueryAndAppends() throws SdpException {
        SessionDescription sdp = SessionDescription.parse("""
                v=0
                s=Media Server
                a=control:*
                m=video 0 RTP/AVP 96
                a=control:trackID=0
                a=rtpmap:96 H264/90000
                """, "dahua");
        URI request = URI.create("rtsp://192.168.1.108:554/cam/realmonitor?channel=1&subtype=0");
        assertEquals(URI.create("rtsp://192.168.1.108:554/cam/realmonitor?channel=1&subtype=0/trackID=0"),
                sdp.resolveControl(sdp.media().get(0), request,
                        "rtsp://192.168.1.108:554/cam/realmonitor?channel=1&subtype=0/"));
        assertEquals(URI.create("rtsp://192.168.1.108:554/cam/realmonitor?channel=1&subtype=0/trackID=0"),
                sdp.resolveControl(sdp.media().get(0), request, null));
    }

    @Test
    void absoluteSessionControlIsTheBaseForRelativeMediaControls() throws SdpException {
        SessionDescription sdp = SessionDescription.parse("""
                v=0
                a=control:rtsp://10.0.0.5/live/main
                m=video 0 RTP/AVP 96
                a=control:track1
                """, "x");
        assertEquals(URI.create("rtsp://10.0.0.5/live/main/track1"),
                sdp.resolveControl(sdp.media().get(0), URI.create("rtsp://camera.local/live/main"), null));
    }

    @Test
    void starMissingPathAndQueryControls() throws SdpException {
        URI base = URI.create("rtsp://user:pw@h:554/cam");
        assertEquals(URI.create("rtsp://user:pw@h:554/cam"), media("*", base));
        assertEquals(URI.create("rtsp://user:pw@h:554/other/track"), media("/other/track", base));
        assertEquals(URI.create("rtsp://user:pw@h:554/cam?ctype=video"), media("?ctype=video", base));
        assertEquals(URI.create("rtsp://h:554/cam/track:1"), media("track:1", URI.create("rtsp://h:554/cam")),
                "only rtsp schemes make a control absolute");
        assertEquals(URI.create("rtsps://h/a"), media("RTSPS://h/a", base), "scheme case does not matter");
        assertEquals(URI.create("rtsp://h/cam/t"), media("t", URI.create("rtsp://h/cam#frag")));

        SessionDescription noControl = SessionDescription.parse("v=0\nm=video 0 RTP/AVP 96\n", "x");
        assertEquals(base, noControl.resolveControl(noControl.media().get(0), base, null));
    }

    @Test
    void relativeContentBaseResolvesAgainstTheRequest() throws SdpException {
        SessionDescription sdp = SessionDescription.parse("v=0\nm=video 0 RTP/AVP 96\na=control:s0\n", "x");
        assertEquals(URI.create("rtsp://h/live/s0"),
                sdp.resolveControl(sdp.media().get(0), URI.create("rtsp://h/cam"), "/live/"));
    }

    @Test
    void invalidControlsAreSdpErrors() throws SdpException {
        SessionDescription sdp = SessionDescription.parse("v=0\nm=video 0 RTP/AVP 96\na=control:track 1\n", "cam");
        SdpException error = assertThrows(SdpException.class,
                () -> sdp.resolveControl(sdp.media().get(0), URI.create("rtsp://h/cam"), null));
        assertEquals("a=control", error.field());
        assertEquals(3, error.lineNumber());

        SessionDescription fine = SessionDescription.parse("v=0\nm=video 0 RTP/AVP 96\na=control:t\n", "cam");
        SdpException base = assertThrows(SdpException.class,
                () -> fine.resolveControl(fine.media().get(0), URI.create("rtsp://h/cam"), "rtsp://h/a b"));
        assertEquals("Content-Base", base.field());
        assertThrows(IllegalArgumentException.class,
                () -> fine.resolveControl(fine.media().get(0), URI.create("/relative"), null));
    }

    private static URI media(String control, URI base) throws SdpException {
        SessionDescription sdp = SessionDescription.parse("v=0\nm=video 0 RTP/AVP 96\na=control:" + control + "\n", "x");
        return sdp.resolveControl(sdp.media().get(0), base, null);
    }
}
