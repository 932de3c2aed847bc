package io.virta.testkit;

import io.virta.testkit.FfmpegReference.RtspProbe;
import io.virta.testkit.GstRtspServer.Auth;
import io.virta.testkit.GstRtspServer.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The test peers themselves work: real clients (ffprobe, gst-launch) receive what the GStreamer
 * RTSP server serves, so a failure in the producer's own RTSP client tests is the client's.
 */
@Timeout(60)
class TestPeersTest {
    /**
     * Frames ffprobe must decode from two seconds of a 25 fps stream. A client that joins a running
     * (shared) stream decodes from the next keyframe, up to one second later, so at least one
     * second of frames remains.
     */
    private static final int FRAMES_IN_TWO_SECONDS = 22;

    private static GstRtspServer cameras;

    @BeforeAll
    static void startCameras() {
        cameras = GstRtspServer.builder()
                .mount("/baseline", TestClips.h264Baseline720p())
                .mount("/multislice", TestClips.h264MultiSlice())
                .mount("/bframes", TestClips.h264BFrames())
                .mount("/h265", TestClips.h265())
                .mount("/small", TestClips.h264Small())
                .start();
    }

    @AfterAll
    static void stopCameras() {
        if (cameras != null) {
            cameras.close();
        }
    }

    @Test
    void baselineClipReachesFfprobeOverTcpAndUdpAtTheSameTime() {
        List<RtspProbe> probes = concurrently(
                () -> probeCameras("/baseline", "tcp"),
                () -> probeCameras("/baseline", "udp"));
        for (RtspProbe probe : probes) {
            assertEquals(new RtspProbe("h264", 1280, 720, probe.frames()), probe);
            assertTrue(probe.frames() >= FRAMES_IN_TWO_SECONDS, probe + "\n" + cameras.log());
        }
    }

    @Test
    void multiSliceAndBFrameClipsDecode() {
        List<RtspProbe> probes = concurrently(
                () -> probeCameras("/multislice", "tcp"),
                () -> probeCameras("/bframes", "tcp"));
        for (RtspProbe probe : probes) {
            assertEquals(new RtspProbe("h264", 1280, 720, probe.frames()), probe);
            assertTrue(probe.frames() >= FRAMES_IN_TWO_SECONDS, probe + "\n" + cameras.log());
        }
    }

    @Test
    void h265MountDecodesAsHevc() {
        RtspProbe probe = probeCameras("/h265", "tcp");
        assertEquals(new RtspProbe("hevc", 640, 360, probe.frames()), probe);
        assertTrue(probe.frames() >= FRAMES_IN_TWO_SECONDS, probe + "\n" + cameras.log());
    }

    @Test
    void gstLaunchReceivesFiftyFramesOverTcp() {
        // Not -q: gst-launch then prints "Got EOS from element" once the 50th decoded frame has passed. That
        // is what this test checks. Its exit status is not: rtspsrc's PAUSE/TEARDOWN while the pipeline shuts
        // down after EOS once met a connection the shared server had already closed, and gst-launch exited 1.
        ExternalCommand.Result result = ExternalCommand.run(Duration.ofSeconds(30), ExternalCommand.GST_LAUNCH,
                "rtspsrc", "location=" + cameras.url("/small"), "protocols=tcp", "!",
                "rtph264depay", "!", "h264parse", "!", "avdec_h264", "!",
                "identity", "eos-after=50", "!", "fakesink");
        assertTrue(!result.timedOut() && result.stdout().contains("Got EOS from element"), result.describe());
    }

    @Test
    void loopingClipKeepsTimestampsIncreasingAcrossTheLoop() {
        // The small clip is 2 s long: 3 s of stream cross the loop point once.
        List<Double> times = FfmpegReference.packetTimesOverRtsp(cameras.url("/small"), "tcp", 3);
        assertTrue(times.size() >= 70, "packets: " + times.size());
        for (int i = 1; i < times.size(); i++) {
            assertTrue(times.get(i) > times.get(i - 1), "time goes backwards at packet " + i + ": " + times);
        }
        assertTrue(times.getLast() - times.getFirst() >= 2.5, "stream time spans only " + times);
    }

    @ParameterizedTest
    @EnumSource(value = Auth.class, names = {"BASIC", "DIGEST"})
    void credentialsInTheUrlAreAcceptedAndAWrongPasswordIsRefused(Auth auth) {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small())
                .auth(auth, "viewer", "s3cret").start()) {
            RtspProbe probe = FfmpegReference.probeRtsp(server.url("/cam", "viewer", "s3cret"), "tcp", 1);
            assertEquals("h264", probe.codec());
            assertTrue(probe.frames() > 0, probe.toString());

            IllegalStateException wrong = assertThrows(IllegalStateException.class,
                    () -> FfmpegReference.probeRtsp(server.url("/cam", "viewer", "guess"), "tcp", 1));
            assertTrue(wrong.getMessage().contains("401"), wrong.getMessage());
            IllegalStateException none = assertThrows(IllegalStateException.class,
                    () -> FfmpegReference.probeRtsp(server.url("/cam"), "tcp", 1));
            assertTrue(none.getMessage().contains("401"), none.getMessage());
        }
    }

    @Test
    void digestChallengeIsSentWhenDigestIsConfigured() throws IOException {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small())
                .auth(Auth.DIGEST, "viewer", "s3cret").start()) {
            String response = describe(server.port(), "/cam");
            assertTrue(response.startsWith("RTSP/1.0 401"), response);
            assertTrue(response.contains("WWW-Authenticate: Digest "), response);
        }
    }

    @Test
    void tcpOnlyServerRefusesUdp() {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small())
                .transports(Transport.TCP).start()) {
            IllegalStateException udp = assertThrows(IllegalStateException.class,
                    () -> FfmpegReference.probeRtsp(server.url("/cam"), "udp", 1));
            assertTrue(udp.getMessage().contains("461"), udp.getMessage());
            assertTrue(FfmpegReference.probeRtsp(server.url("/cam"), "tcp", 1).frames() > 0);
        }
    }

    @Test
    void noSpropLeavesParameterSetsOutOfTheSdpButTheStreamStillDecodes() throws IOException {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).noSprop().start()) {
            String sdp = describe(server.port(), "/cam");
            assertTrue(sdp.startsWith("RTSP/1.0 200"), sdp);
            assertTrue(sdp.contains("a=fmtp:96 "), sdp);
            assertFalse(sdp.contains("sprop-"), sdp);
            assertTrue(FfmpegReference.probeRtsp(server.url("/cam"), "tcp", 1).frames() > 0);
        }
        assertTrue(describe(cameras.port(), "/small").contains("sprop-parameter-sets="));
    }

    @Test
    void killedServerServesAgainOnTheSamePortAfterRestart() {
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start()) {
            int port = server.port();
            assertTrue(FfmpegReference.probeRtsp(server.url("/cam"), "tcp", 1).frames() > 0);

            server.kill();
            assertFalse(server.isAlive());
            assertThrows(IllegalStateException.class, () -> FfmpegReference.probeRtsp(server.url("/cam"), "tcp", 1));

            server.restart();
            assertEquals(port, server.port());
            assertTrue(FfmpegReference.probeRtsp(server.url("/cam"), "tcp", 1).frames() > 0, server.log());
        }
    }

    @Test
    void silentServerAcceptsButNeverAnswers() throws IOException {
        try (SilentServer silent = new SilentServer();
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), silent.port())) {
            socket.getOutputStream().write("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read());
            assertEquals(1, silent.acceptedConnections());
        }
    }

    @Test
    void unreachablePortRefusesConnections() {
        InetSocketAddress address = SilentServer.unreachableAddress();
        assertThrows(ConnectException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(address, 2000);
            }
        });
    }

    @Test
    void referenceHashesCoverEveryFrameInPresentationOrder() {
        assertEquals(50, TestClips.frameCount(TestClips.h264Small()));
        List<String> yuv = FfmpegReference.frameMd5Yuv420p(TestClips.h264Small());
        assertEquals(50, yuv.size());
        // testsrc2 burns a frame counter into every picture, so no two frames are alike.
        assertEquals(50, new HashSet<>(yuv).size());
        List<String> rgb = FfmpegReference.frameMd5Rgb24(TestClips.h264Small(), 160, 120);
        assertEquals(50, rgb.size());
        assertEquals(50, new HashSet<>(rgb).size());

        assertEquals(125, TestClips.frameCount(TestClips.h264BFrames()));
        assertEquals(125, FfmpegReference.frameMd5Yuv420p(TestClips.h264BFrames()).size());
    }

    /** ffprobe against the shared server, with the server's log in the failure message. */
    private static RtspProbe probeCameras(String mount, String transport) {
        try {
            return FfmpegReference.probeRtsp(cameras.url(mount), transport, 2);
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage() + "\nserver log:\n" + cameras.log(), e);
        }
    }

    /** Runs two clients at the same time, as two viewers of one camera. */
    private static <T> List<T> concurrently(Supplier<T> first, Supplier<T> second) {
        List<CompletableFuture<T>> running = Stream.of(first, second)
                .map(task -> CompletableFuture.supplyAsync(task, runnable -> Thread.ofVirtual().start(runnable)))
                .toList();
        return running.stream().map(CompletableFuture::join).toList();
    }

    /** Sends a bare DESCRIBE and returns the whole response, headers and SDP. */
    private static String describe(int port, String mount) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("DESCRIBE rtsp://127.0.0.1:" + port + mount + " RTSP/1.0\r\nCSeq: 1\r\n"
                    + "Accept: application/sdp\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder response = new StringBuilder();
            byte[] chunk = new byte[4096];
            int contentLength = -1;
            int headerEnd = -1;
            while (headerEnd < 0 || response.length() < headerEnd + contentLength) {
                int read = in.read(chunk);
                if (read < 0) {
                    break;
                }
                response.append(new String(chunk, 0, read, StandardCharsets.US_ASCII));
                if (headerEnd < 0 && response.indexOf("\r\n\r\n") >= 0) {
                    headerEnd = response.indexOf("\r\n\r\n") + 4;
                    contentLength = 0;
                    for (String header : response.substring(0, headerEnd).split("\r\n")) {
                        if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                            contentLength = Integer.parseInt(header.substring(15).strip());
                        }
                    }
                }
            }
            return response.toString();
        }
    }
}
