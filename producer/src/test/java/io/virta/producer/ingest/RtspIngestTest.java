package io.virta.producer.ingest;

import io.virta.producer.testing.FfmpegReference;
import io.virta.producer.testing.GstRtspServer;
import io.virta.producer.testing.GstRtspServer.Auth;
import io.virta.producer.testing.SilentServer;
import io.virta.producer.testing.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.virta.producer.ingest.IngestHarness.assertContiguousRun;
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
