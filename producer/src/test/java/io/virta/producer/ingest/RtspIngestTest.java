package io.virta.producer.ingest;

import io.virta.testkit.FfmpegReference;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.GstRtspServer.Auth;
import io.virta.testkit.SilentServer;
import io.virta.testkit.UdpBlackholeProxy;
import io.virta.producer.status.CameraStatus;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.virta.producer.ingest.IngestHarness.assertContiguousRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The producer against a real RTSP server (GStreamer's gst-rtsp-server) serving clips made by
 * ffmpeg: every decoded picture must equal ffmpeg's own decode of the clip.
 */
@Timeout(120)
class RtspIngestTest {
    private static final Duration ONLINE = Duration.ofSeconds(20);

    private static void expectFrameExact(Path clip, String serverUrl, String transport, String channelSuffix,
            int frames) throws Exception {
        try (IngestHarness h = new IngestHarness("url: " + serverUrl + "\ntransport: " + transport)) {
            h.awaitEvent("online", ONLINE);
            assertContiguousRun(FfmpegReference.frameMd5Yuv420p(clip), h.frameMd5s(h.camera + ".yuv", frames));
            if (channelSuffix != null) {
                assertFalse(h.frameMd5s(h.camera + channelSuffix, 3).isEmpty());
            }
        }
    }

    @Test
    void overTcpAndOverUdpEveryPictureIsFrameExact() throws Exception {
        Path clip = TestClips.h264Small();
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", clip).start()) {
            expectFrameExact(clip, server.url("/cam"), "tcp", ".h264", 60);
            expectFrameExact(clip, server.url("/cam"), "udp", null, 60);
        }
    }

    @Test
    void multiSlicePicturesAndParameterSetsRepeatedInBand() throws Exception {
        Path clip = TestClips.h264MultiSlice();
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", clip).configInterval(-1).noSprop().start()) {
            expectFrameExact(clip, server.url("/cam"), "tcp", null, 40);
        }
    }

    @Test
    void bFramesComeOutInPresentationOrder() throws Exception {
        Path clip = TestClips.h264BFrames();
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", clip).start()) {
            expectFrameExact(clip, server.url("/cam"), "tcp", null, 40);
        }
    }

    @Test
    void h265() throws Exception {
        Path clip = TestClips.h265();
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", clip).start()) {
            expectFrameExact(clip, server.url("/cam"), "auto", ".h265", 40);
        }
    }

    @Test
    void basicAndDigestAuthenticationWithCredentialsFromTheUrlOrTheConfig() throws Exception {
        Path clip = TestClips.h264Small();
        for (Auth auth : new Auth[] {Auth.BASIC, Auth.DIGEST}) {
            try (GstRtspServer server = GstRtspServer.builder().mount("/cam", clip).auth(auth, "viewer", "s3cr:t@x").start()) {
                expectFrameExact(clip, server.url("/cam", "viewer", "s3cr:t@x"), "tcp", null, 10);
                try (IngestHarness h = new IngestHarness("url: " + server.url("/cam") + "\nuser: viewer\npassword: \"s3cr:t@x\"")) {
                    h.awaitEvent("online", ONLINE);
                }
            }
        }
    }

    @Test
    void aWrongPasswordIsReportedClearlyAndNeverLogged() throws Exception {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small())
                .auth(Auth.DIGEST, "viewer", "right").start();
             IngestHarness h = new IngestHarness("url: " + server.url("/cam", "viewer", "wrong"))) {
            String event = h.awaitEvent("offline", ONLINE);
            assertTrue(event.contains("rejected user 'viewer'") && event.contains("check the credentials"), event);
            assertFalse(event.contains("wrong"), "no password in messages: " + event);
        }
    }

    @Test
    void aKilledServerIsReconnectedWhenItComesBack() throws Exception {
        Path clip = TestClips.h264Small();
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", clip).start();
             IngestHarness h = new IngestHarness("url: " + server.url("/cam") + "\ntransport: tcp\nreconnectSeconds: 2")) {
            h.awaitEvent("online", ONLINE);
            server.kill();
            h.awaitEvent("offline", Duration.ofSeconds(10));
            h.events.clear();
            server.restart();
            h.awaitEvent("online", ONLINE);
            assertContiguousRun(FfmpegReference.frameMd5Yuv420p(clip), h.frameMd5s(h.camera + ".yuv", 10));
            assertTrue(h.producer.camera(h.camera).source().reconnects() >= 1);
        }
    }

    @Test
    void aServerThatStopsSendingCountsAsStalledAndIsReconnected() throws Exception {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start();
             IngestHarness h = new IngestHarness("url: " + server.url("/cam") + "\ntransport: tcp\nreconnectSeconds: 2")) {
            h.awaitEvent("online", ONLINE);
            long pid = server.pid();
            // Frozen, not dead: the TCP connection stays up, but nothing comes through it.
            new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
            try {
                String event = h.awaitEvent("offline", Duration.ofSeconds(10));
                assertTrue(event.contains("no frames for 2000 ms"), event);
            } finally {
                new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
            }
            h.events.clear();
            h.awaitEvent("online", ONLINE);
        }
    }

    @Test
    void aRedirectIsFollowed() throws Exception {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start();
             java.net.ServerSocket redirector = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> redirectEveryRequest(redirector, server.url("/cam")));
            try (IngestHarness h = new IngestHarness("url: rtsp://127.0.0.1:" + redirector.getLocalPort() + "/old")) {
                h.awaitEvent("online", ONLINE);
            }
        }
    }

    /** A server that answers every request with 302 and the new location, as a camera moved behind a proxy would. */
    private static void redirectEveryRequest(java.net.ServerSocket listener, String location) {
        while (!listener.isClosed()) {
            try (java.net.Socket client = listener.accept()) {
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(client.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII));
                String cseq = "0";
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    if (line.regionMatches(true, 0, "CSeq:", 0, 5)) {
                        cseq = line.substring(5).trim();
                    }
                }
                client.getOutputStream().write(("RTSP/1.0 302 Moved Temporarily\r\nCSeq: " + cseq + "\r\nLocation: "
                        + location + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                Thread.sleep(100);
            } catch (Exception e) {
                return;
            }
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        try (SilentServer silent = new SilentServer();
             IngestHarness h = new IngestHarness("url: " + silent.url("/cam") + "\nreconnectSeconds: 2")) {
            String event = h.awaitEvent("offline", Duration.ofSeconds(15));
            assertTrue(event.contains("no answer to OPTIONS"), event);
        }
    }

    @Test
    void anUnreachableHostIsReportedWithWhatToCheck() throws Exception {
        try (IngestHarness h = new IngestHarness("url: " + SilentServer.unreachableUrl("/cam"))) {
            String event = h.awaitEvent("offline", Duration.ofSeconds(15));
            assertTrue(event.contains("cannot connect") && event.contains("check the host and port"), event);
        }
    }

    @Test
    void autoFallsBackToTcpWhenTheServerRefusesUdp() throws Exception {
        Path clip = TestClips.h264Small();
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", clip)
                .transports(GstRtspServer.Transport.TCP).start();
             IngestHarness h = new IngestHarness("url: " + server.url("/cam"))) {
            h.awaitEvent("online tcp", ONLINE);
            assertContiguousRun(FfmpegReference.frameMd5Yuv420p(clip), h.frameMd5s(h.camera + ".yuv", 10));
        }
    }

    /**
     * The server answers PLAY and sends RTP over UDP, but a "firewall" swallows it: that session was
     * never online. The fallback to TCP is one online event, over TCP, with no offline event before it.
     */
    @Test
    void aUdpSessionThatReceivesNothingNeverCountsAsOnline() throws Exception {
        Path clip = TestClips.h264Small();
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", clip).start();
             UdpBlackholeProxy firewall = new UdpBlackholeProxy(server.port());
             IngestHarness h = new IngestHarness("url: " + firewall.url("/cam"))) {
            h.awaitEvent("online", ONLINE);
            assertEquals(List.of("online tcp"), h.events, "events up to the first online one");
            assertTrue(firewall.udpPacketsSwallowed() > 0, "the server did play over UDP: nothing arrived");
            CameraStatus.Stats stats = h.producer.status(h.camera).stats();
            assertEquals(1, stats.onlineCount(), "online events");
            assertEquals(0, stats.offlineCount(), "offline events");
            assertContiguousRun(FfmpegReference.frameMd5Yuv420p(clip), h.frameMd5s(h.camera + ".yuv", 10));
        }
    }

    /** With neither yuv nor rgb on, nothing is decoded: no decoder thread, while the encoded channel flows. */
    @Test
    void withoutPictureChannelsNothingIsDecoded() throws Exception {
        Path clip = TestClips.h264Small();
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", clip).start();
             IngestHarness h = new IngestHarness("url: " + server.url("/cam") + "\ntransport: tcp"
                     + "\nyuv:\n  enabled: false\nrgb:\n  enabled: false")) {
            h.awaitEvent("online", ONLINE);
            assertEquals(20, h.frameMd5s(h.camera + ".h264", 20).size());
            assertEquals(null, h.producer.camera(h.camera).decoder(), "no decoder");
            assertEquals(0, h.producer.status(h.camera).stats().framesDecoded(), "frames decoded");
            assertEquals(List.of(h.camera + ".h264"), h.producer.camera(h.camera).channels());
            assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("virta-decode-" + h.camera)),
                    "no decoder thread");
        }
    }

    /** A server that refuses the configured transport (461): the hint names the other settings, not the one in use. */
    @Test
    void aRefusedTransportNamesTheOtherChoices() throws Exception {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small())
                .transports(GstRtspServer.Transport.UDP).start();
             IngestHarness h = new IngestHarness("url: " + server.url("/cam") + "\ntransport: tcp")) {
            String event = h.awaitEvent("offline", ONLINE);
            assertTrue(event.contains("461") && event.contains("try transport: auto or udp"), event);
        }
    }

    /**
     * The server steps its RTP clock back a second at every loop of its 2 s clip, as VLC does: the
     * capture times of the pictures on the bus keep going forward across two loops.
     */
    @Test
    void captureTimesNeverGoBackWhenTheServerStepsItsClockBack() throws Exception {
        Path clip = TestClips.h264Small(); // 50 frames at 25 fps: a loop every 2 s
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", clip).loopStepBack(Duration.ofSeconds(1)).start();
             IngestHarness h = new IngestHarness("url: " + server.url("/cam") + "\ntransport: tcp\nrgb:\n  enabled: false\nyuv:\n  cells: 64")) {
            h.awaitEvent("online", ONLINE);
            try (var reader = io.virta.bus.ChannelReader.builder(h.camera + ".yuv").awaitWriter(Duration.ofSeconds(20))
                    .start(io.virta.bus.ChannelReader.Start.NEXT).open()) {
                long previous = Long.MIN_VALUE;
                for (int frame = 0; frame < 125; frame++) {   // 5 s: at least two steps back
                    assertEquals(io.virta.bus.PullStatus.FRAME, reader.pull(Duration.ofSeconds(10)), "frame " + frame);
                    long t = reader.frame().captureTimeMicros();
                    assertTrue(t > previous, "frame " + frame + ": capture time " + t + " after " + previous);
                    previous = t;
                }
            }
        }
    }

    @Test
    void shutdownTearsDownAndReadersSeeTheEnd() throws Exception {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start()) {
            IngestHarness h = new IngestHarness("url: " + server.url("/cam"));
            h.awaitEvent("online", ONLINE);
            try (var reader = io.virta.bus.ChannelReader.builder(h.camera + ".rgb").awaitWriter(Duration.ofSeconds(10)).open()) {
                h.close();
                io.virta.bus.PullStatus last;
                do {
                    last = reader.pull(Duration.ofSeconds(5));
                } while (last.hasFrame());
                assertTrue(last == io.virta.bus.PullStatus.END_OF_STREAM, "readers see an orderly end, not " + last);
            }
        }
    }
}
