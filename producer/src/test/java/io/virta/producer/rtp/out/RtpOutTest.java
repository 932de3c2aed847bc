package io.virta.producer.rtp.out;

import io.virta.producer.config.ProducerConfig;
import io.virta.producer.daemon.Producer;
import io.virta.producer.source.StreamEvents;
import io.virta.testkit.ExternalCommand;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A producer ingesting a real RTSP camera (gst-rtsp-server looping a clip) sends it with
 * {@code rtpOut:}; ffmpeg, a real receiver, opens the SDP file the producer wrote and must decode
 * every frame: no lost packets, no decoder complaints, and presentation times one frame apart
 * throughout (a missing frame would leave a double step).
 *
 * <p>ffmpeg is started while the camera is stopped, so it is listening before the first unit of
 * the next start, which begins at a keyframe. The SDP does not change across the stop, as the
 * sender's SSRC, sequence and timeline carry on.
 */
class RtpOutTest {
    private static final int FRAMES = 75;

    @TempDir
    Path dir;

    @Test
    void unicastH264DecodesEveryFrameThroughTheSdpFile() throws Exception {
        int port = freeRtpPort();
        String sdp = sendAndReceive(TestClips.h264Small(), "127.0.0.1:" + port, "", false);
        assertTrue(sdp.contains("c=IN IP4 127.0.0.1\r\n"), sdp);
        assertTrue(sdp.contains("m=video " + port + " RTP/AVP 96\r\n"), sdp);
        assertTrue(sdp.contains("a=rtpmap:96 H264/90000") && sdp.contains("sprop-parameter-sets="), sdp);
    }

    /** Multicast on loopback: lo lacks the MULTICAST flag here, yet IP_MULTICAST_IF=lo delivers to local joiners. */
    @Test
    void multicastH265OnLoopbackDecodesEveryFrame() throws Exception {
        int port = freeRtpPort();
        String sdp = sendAndReceive(TestClips.h265(), "239.255.71.3:" + port, "\n      interface: lo\n      ttl: 2",
                true);
        assertTrue(sdp.contains("c=IN IP4 239.255.71.3/2\r\n"), sdp);
        assertTrue(sdp.contains("a=rtpmap:96 H265/90000") && sdp.contains("sprop-vps=")
                && sdp.contains("sprop-sps=") && sdp.contains("sprop-pps="), sdp);
    }

    /** Runs the camera until its SDP appears, then counts what ffmpeg decodes of the next start; returns the SDP. */
    private String sendAndReceive(Path clip, String destination, String moreRtpOut, boolean multicast)
            throws Exception {
        Path sdpFile = dir.resolve("out/cam.sdp");
        int port = Integer.parseInt(destination.substring(destination.lastIndexOf(':') + 1));
        try (GstRtspServer camera = GstRtspServer.builder().mount("/cam", clip).start()) {
            String yaml = "cameras:\n  - name: cam\n    url: " + camera.url("/cam") + "\n    transport: tcp\n"
                    + "    decode: false\n    rtpOut:\n      destination: " + destination + "\n      sdp: " + sdpFile
                    + moreRtpOut + "\n";
            try (Producer producer = new Producer(ProducerConfig.parse(yaml, "test config"), StreamEvents.NONE).start()) {
                waitFor(() -> Files.exists(sdpFile), "the SDP file " + sdpFile);
                assertTrue(producer.stop("cam"));
                String sdp = Files.readString(sdpFile);

                List<String> command = new ArrayList<>(List.of(ExternalCommand.FFMPEG, "-nostdin", "-v", "warning",
                        "-protocol_whitelist", "file,udp,rtp"));
                if (multicast) {
                    command.addAll(List.of("-localaddr", "127.0.0.1"));
                }
                command.addAll(List.of("-i", sdpFile.toString(), "-fps_mode", "passthrough", "-frames:v",
                        String.valueOf(FRAMES), "-f", "framemd5", "-"));
                CompletableFuture<ExternalCommand.Result> receiver =
                        CompletableFuture.supplyAsync(() -> ExternalCommand.run(Duration.ofSeconds(40), command));
                waitFor(() -> udpPortBound(port), "ffmpeg listening on UDP port " + port);
                long sentBefore = producer.status("cam").rtpOut().unitsSent();
                assertTrue(producer.start("cam"));

                ExternalCommand.Result r = receiver.get(60, TimeUnit.SECONDS);
                assertTrue(r.succeeded(), r.describe());
                assertEquals("", r.stderr().trim(), "lost packets or decoder errors: " + r.describe());
                List<String[]> frames = frames(r.stdout());
                assertEquals(FRAMES, frames.size(), r.describe());
                // ffmpeg rounds the first frame onto the second's time (pts 0, 0, 1, ...): the steps
                // are checked from the second frame on, and each picture must differ from the one
                // before (testsrc2 burns a counter into each), so no frame is shown twice either.
                long step = pts(frames.get(2)) - pts(frames.get(1));
                assertTrue(step > 0, r.stdout());
                for (int i = 2; i < frames.size(); i++) {
                    assertEquals(step, pts(frames.get(i)) - pts(frames.get(i - 1)),
                            "frame " + i + " is not one frame after the last: " + r.stdout());
                }
                for (int i = 1; i < frames.size(); i++) {
                    assertTrue(!frames.get(i)[5].equals(frames.get(i - 1)[5]), "frame " + i + " repeats: " + r.stdout());
                }
                RtpSender.Stats stats = producer.status("cam").rtpOut();
                assertNotNull(stats);
                assertTrue(stats.unitsSent() - sentBefore >= FRAMES, "sent " + stats + " from " + sentBefore);
                assertEquals(0, stats.packetsDropped(), stats.toString());
                assertEquals(sdp, Files.readString(sdpFile), "the SDP changed though the stream did not");
                return sdp;
            }
        }
    }

    /** ffmpeg's framemd5 lines, split: {@code stream, dts, pts, duration, size, md5}. */
    private static List<String[]> frames(String framemd5) {
        List<String[]> frames = new ArrayList<>();
        for (String line : framemd5.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                frames.add(line.split(","));
            }
        }
        return frames;
    }

    private static long pts(String[] frame) {
        return Long.parseLong(frame[2].trim());
    }

    /** Whether some socket is bound to the UDP port (IPv4), as /proc/net/udp lists it. */
    private static boolean udpPortBound(int port) throws Exception {
        String hex = String.format(":%04X ", port);
        for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 1 && (fields[1] + " ").endsWith(hex)) {
                return true;
            }
        }
        return false;
    }

    /** An even port whose next one is free too: RTP and RTCP. */
    static int freeRtpPort() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                port = probe.getLocalPort() & ~1;
            }
            if (port < 1024 || port > 65534) {
                continue;
            }
            try (DatagramSocket rtp = new DatagramSocket(port); DatagramSocket rtcp = new DatagramSocket(port + 1)) {
                return port;
            } catch (java.net.SocketException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free pair of UDP ports");
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition condition, String what) throws Exception {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < giveUp, "no " + what + " within 20 s");
            Thread.sleep(20);
        }
    }
}
