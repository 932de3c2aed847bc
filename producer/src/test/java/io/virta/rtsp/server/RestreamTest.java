package io.virta.rtsp.server;

import io.virta.producer.config.ProducerConfig;
import io.virta.producer.status.CameraStatus;
import io.virta.producer.daemon.Producer;
import io.virta.producer.source.StreamEvents;
import io.virta.testkit.ExternalCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The producer re-serving a camera (a looping H264 file) over RTSP, checked with real clients:
 * ffmpeg and ffprobe over TCP and UDP, gst-launch's rtspsrc, a crowd of concurrent clients with one
 * killed mid-stream, and hostile bytes on the control connection.
 */
class RestreamTest {
    private static Producer producer;
    private static String url;

    @BeforeAll
    static void startProducer() throws Exception {
        producer = startCamera("rtspServer:\n  listen: 127.0.0.1:0\n");
        url = producer.rtspServer().url("cam");
    }

    @AfterAll
    static void stopProducer() {
        if (producer != null) {
            producer.close();
        }
    }

    /** A producer with one camera, {@code cam}, and the given {@code rtspServer:} section; waits until it is served. */
    static Producer startCamera(String rtspServerYaml) throws Exception {
        String yaml = "cameras:\n  - name: cam\n    url: " + RtspServerTest.clip().toAbsolutePath()
                + "\n    loop: true\n    decode: false\n" + rtspServerYaml;
        Producer p = new Producer(ProducerConfig.parse(yaml, "test config"), StreamEvents.NONE).start();
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (p.rtspServer().mountCount() == 0) {
            assertTrue(System.nanoTime() < giveUp, "the camera was not mounted within 20 s");
            Thread.sleep(20);
        }
        return p;
    }

    @Test
    void ffmpegDecodesFromTheFirstFrameOverTcpAndUdp() {
        for (String transport : new String[] {"tcp", "udp"}) {
            // Starting anywhere but a keyframe, or without SPS/PPS, makes the decoder complain.
            ExternalCommand.Result r = ExternalCommand.run(Duration.ofSeconds(30), ExternalCommand.FFMPEG, "-nostdin",
                    "-v", "error", "-rtsp_transport", transport, "-i", url, "-frames:v", "30", "-f", "null", "-");
            assertTrue(r.succeeded(), transport + ": " + r.describe());
            assertEquals("", r.stderr().trim(), transport + ": decoder errors: " + r.describe());
        }
    }

    @Test
    void gstreamerRtspsrcPlays() {
        for (String protocol : new String[] {"tcp", "udp"}) {
            ExternalCommand.Result r = ExternalCommand.run(Duration.ofSeconds(30), ExternalCommand.GST_LAUNCH, "-q",
                    "rtspsrc", "location=" + url, "protocols=" + protocol, "!", "rtph264depay", "!", "h264parse", "!",
                    "avdec_h264", "!", "fakesink", "num-buffers=30");
            assertTrue(r.succeeded(), protocol + ": " + r.describe());
        }
    }

    @Test
    void manyClientsGetEveryFrameAndOneKilledDisturbsNobody() throws Exception {
        // The crowd: 50 ffmpeg processes (-c copy, so each costs little once started).
        int clients = Integer.getInteger("virta.restream.clients", 50);
        MediaMount mount = producer.rtspServer().mountAt("cam");
        long droppedBefore = mount.framesDropped();
        Process victim = copyClient("tcp", 1000);
        List<Process> crowd = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            crowd.add(copyClient("tcp", 50));
        }
        Thread.sleep(500);
        victim.destroyForcibly(); // SIGKILL: no TEARDOWN, the socket just dies
        assertEveryOneGot50Frames(crowd);
        assertEquals(droppedBefore, mount.framesDropped(), "frames dropped for slow clients");
        awaitNoClients(mount);
    }

    @Test
    void severalUdpClientsEachGetEveryFrameOnTheirOwnPorts() throws Exception {
        MediaMount mount = producer.rtspServer().mountAt("cam");
        long droppedBefore = mount.framesDropped();
        Process victim = copyClient("udp", 1000);
        List<Process> crowd = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            crowd.add(copyClient("udp", 50));
        }
        Thread.sleep(500);
        victim.destroyForcibly(); // its server ports now hear "port unreachable": nobody else may notice
        assertEveryOneGot50Frames(crowd);
        assertEquals(droppedBefore, mount.framesDropped(), "frames dropped for slow clients");
        awaitNoClients(mount);
    }

    private static void assertEveryOneGot50Frames(List<Process> crowd) throws Exception {
        for (Process p : crowd) {
            assertTrue(p.waitFor(40, TimeUnit.SECONDS), "a client did not get 50 frames in 40 s");
            String log = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), log);
            // ffmpeg's RTP demuxer reports any sequence gap as "RTP: missed N packets".
            assertTrue(!log.contains("missed"), "a client lost packets: " + log);
            assertTrue(log.contains("frame=   50") || log.contains("frame=50"), log);
        }
    }

    private static void awaitNoClients(MediaMount mount) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (mount.clients() > 0) {
            assertTrue(System.nanoTime() < giveUp, mount.clients() + " clients still listed after all left");
            Thread.sleep(20);
        }
    }

    @Test
    void statusCountsTheClientsAndTheFramesSentToThem() throws Exception {
        List<Process> clients = List.of(copyClient("tcp", 100_000), copyClient("udp", 100_000));
        try {
            CameraStatus.Restream playing = awaitRestream(r -> r.clients() == 2 && r.framesSent() > 50);
            assertEquals(0, playing.framesDropped(), "frames dropped for two clients that keep up");
        } finally {
            clients.forEach(Process::destroyForcibly);
        }
        long sent = producer.status("cam").restream().framesSent();
        CameraStatus.Restream after = awaitRestream(r -> r.clients() == 0);
        assertTrue(after.framesSent() >= sent, "frames sent never go back: " + sent + " then " + after.framesSent());
    }

    /** The camera's restream counters once {@code until} holds (within 20 s). */
    private static CameraStatus.Restream awaitRestream(java.util.function.Predicate<CameraStatus.Restream> until)
            throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        CameraStatus.Restream r = producer.status("cam").restream();
        while (!until.test(r)) {
            assertTrue(System.nanoTime() < giveUp, "status never got there; last: " + r);
            Thread.sleep(50);
            r = producer.status("cam").restream();
        }
        return r;
    }

    private static Process copyClient(String transport, int frames) throws Exception {
        return new ProcessBuilder(ExternalCommand.FFMPEG, "-nostdin", "-v", "warning", "-stats", "-rtsp_transport", transport,
                "-i", url, "-c", "copy", "-frames:v", String.valueOf(frames), "-f", "null", "-")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void hostileRequestsGetClearErrorsAndTheServerKeepsServing() throws Exception {
        int port = producer.rtspServer().port();
        assertTrue(exchange(port, "HELLO THERE\r\n\r\n").startsWith("RTSP/1.0 400"), "malformed request line");
        String huge = "OPTIONS " + url + " RTSP/1.0\r\nCSeq: 1\r\nX-Big: " + "a".repeat(64 * 1024) + "\r\n\r\n";
        String answer = exchange(port, huge);
        assertTrue(answer.startsWith("RTSP/1.0 400") && answer.contains("longer than 16384 bytes"), answer);
        assertTrue(exchange(port, "BREW " + url + " RTSP/1.0\r\nCSeq: 2\r\n\r\n").startsWith("RTSP/1.0 501"));
        assertTrue(exchange(port, "OPTIONS " + url + " RTSP/1.0\r\nCSeq: one\r\n\r\n").startsWith("RTSP/1.0 400"));
        assertTrue(exchange(port, "PLAY " + url + " RTSP/1.0\r\nCSeq: 3\r\nSession: nope\r\n\r\n").startsWith("RTSP/1.0 454"));
        assertTrue(exchange(port, "SETUP " + url + "/track1 RTSP/1.0\r\nCSeq: 4\r\nTransport: RTP/AVP;multicast\r\n\r\n")
                .startsWith("RTSP/1.0 461"));
        Random random = new Random(6);
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[random.nextInt(2048)];
            random.nextBytes(junk);
            if (random.nextBoolean()) {
                byte[] head = ("DESCRIBE " + url + " RTSP/1.0\r\nCSeq: " + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(head, 0, junk, 0, Math.min(head.length, junk.length));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write(junk);
            }
        }
        assertTrue(exchange(port, "OPTIONS " + url + " RTSP/1.0\r\nCSeq: 9\r\n\r\n").startsWith("RTSP/1.0 200"));
        ExternalCommand.Result r = ExternalCommand.run(Duration.ofSeconds(30), ExternalCommand.FFMPEG, "-nostdin", "-v",
                "error", "-rtsp_transport", "tcp", "-i", url, "-frames:v", "10", "-f", "null", "-");
        assertTrue(r.succeeded(), r.describe());
    }

    /** Whether {@code text} holds a whole response: its header and as much body as its Content-Length says. */
    private static boolean complete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                .matcher(text.substring(0, end));
        return !length.find() || text.length() - end - 4 >= Integer.parseInt(length.group(1));
    }

    /** Sends {@code request} on a fresh connection and returns what comes back within 5 s. */
    static String exchange(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[4096];
            StringBuilder text = new StringBuilder();
            while (!complete(text.toString())) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            return text.toString();
        } catch (java.net.SocketException e) {
            return "connection reset: " + e.getMessage();
        }
    }
}
