package io.virta.producer.source.ffmpeg;

import com.sun.net.httpserver.HttpServer;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Inputs the source cannot play: each must produce an offline event (and {@code lastError}) that
 * names the camera and the input, says what is wrong, and never shows a password.
 */
class FfmpegSourceErrorsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Starts a source on {@code options}, waits for its first offline reason, and closes it. */
    private static String firstError(String camera, FfmpegSourceOptions options) {
        Recorder recorder = new Recorder();
        FfmpegSource source = recorder.source(camera, options);
        try {
            source.start();
            String reason = recorder.awaitOffline(TIMEOUT);
            assertEquals(reason, source.lastError());
            assertFalse(source.isOnline());
            assertTrue(recorder.units.isEmpty());
            assertTrue(reason.startsWith("camera " + camera + ": "), reason);
            return reason;
        } finally {
            source.close();
        }
    }

    @Test
    void aMissingFile() {
        Path missing = TestClips.cacheDirectory().resolve("no-such-clip.mkv");
        String reason = firstError("missing", FfmpegSourceOptions.of(missing.toString()));
        assertEquals("camera missing: file " + missing + " does not exist", reason);
    }

    @Test
    void aMissingFileGivenAsFileUri() {
        Path missing = TestClips.cacheDirectory().resolve("no such clip.mkv");
        String reason = firstError("uri", FfmpegSourceOptions.of(missing.toUri().toString()));
        assertEquals("camera uri: file " + missing + " does not exist", reason);
    }

    @Test
    void anUnreachableHttpServerWithoutShowingThePassword() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String reason = firstError("refused", FfmpegSourceOptions.of("http://admin:s3cret@127.0.0.1:" + port + "/live.ts"));
        assertTrue(reason.contains("cannot open http://***@127.0.0.1:" + port + "/live.ts"), reason);
        assertTrue(reason.contains("Connection refused"), reason);
        assertFalse(reason.contains("s3cret"), reason);
    }

    @Test
    void anHttpServerThatDoesNotHaveTheStream() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/nothing.mkv";
            String reason = firstError("notfound", FfmpegSourceOptions.of(url));
            assertTrue(reason.contains("cannot open " + url) && reason.contains("404"), reason);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aServerThatAcceptsButNeverAnswersIsGivenUpOnAfterTheReconnectInterval() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/x.ts";
            Recorder recorder = new Recorder();
            FfmpegSource source = recorder.source("mute", FfmpegSourceOptions.of(url).withReconnect(Duration.ofMillis(500)));
            source.start();
            try (Socket connection = silent.accept()) {
                assertTrue(connection.isConnected(), "FFmpeg connected, and now waits for an answer");
                String reason = recorder.awaitOffline(TIMEOUT);
                assertEquals("camera mute: cannot open " + url + ": no answer within 500 ms", reason);
            } finally {
                source.close();
            }
        }
    }

    @Test
    void aFileWithoutVideo() {
        Path clip = SourceClips.audioOnly();
        String reason = firstError("audio", FfmpegSourceOptions.of(clip.toString()));
        assertEquals("camera audio: " + clip + " has no video stream (it has: audio pcm_s16le)", reason);
    }

    @Test
    void aVideoCodecOtherThanH264OrH265() {
        Path clip = SourceClips.mpeg4Mkv();
        String reason = firstError("mpeg4", FfmpegSourceOptions.of(clip.toString()));
        assertEquals("camera mpeg4: " + clip + " carries mpeg4 video; only H264 and H265 are supported; transcode it"
                + " with ffmpeg, e.g. ffmpeg -i '" + clip + "' -an -c:v libx264 -g 25 -bf 0 out.mkv", reason);
    }

    @Test
    void aFileThatIsNotVideo() throws IOException {
        Path junk = TestClips.cacheDirectory().resolve("ffmpeg-source").resolve("junk.bin");
        Files.createDirectories(junk.getParent());
        Files.write(junk, "this is not a video".repeat(100).getBytes());
        String reason = firstError("junk", FfmpegSourceOptions.of(junk.toString()));
        assertTrue(reason.startsWith("camera junk: cannot open " + junk + ": "), reason);
    }

    @Test
    void anInputFormatFfmpegDoesNotKnow() {
        String reason = firstError("format", FfmpegSourceOptions.of(TestClips.h264Small().toString()).withFormat("nosuch"));
        assertEquals("camera format: this FFmpeg build has no input format 'nosuch' (ffmpeg -formats lists the names)",
                reason);
    }

    /**
     * No V4L2 camera can exist on the machines these tests run on (no kernel modules, so no
     * v4l2loopback either): only the error paths are tested. A missing device is caught before
     * FFmpeg; /dev/null is a device node that is not a camera, so FFmpeg's own v4l2 input runs
     * and refuses it, which at least proves the device inputs are registered and reached.
     */
    @Test
    void aV4l2CameraThatIsNotPluggedIn() {
        String reason = firstError("usb", FfmpegSourceOptions.of("/dev/video9").withV4l2("1280x720", 30, "h264"));
        assertTrue(reason.startsWith("camera usb: V4L2 device /dev/video9 does not exist; is the camera plugged in?"),
                reason);
    }

    /** See {@link #aV4l2CameraThatIsNotPluggedIn()}: no real V4L2 device exists here. */
    @Test
    void aDeviceThatIsNotAV4l2Camera() {
        String reason = firstError("devnull", FfmpegSourceOptions.of("/dev/null").withV4l2("640x480", 25, "h264"));
        assertTrue(reason.startsWith("camera devnull: cannot open /dev/null: "), reason);
        assertTrue(reason.endsWith("(is it a V4L2 camera? v4l2-ctl --list-devices lists them)"), reason);
    }

    @Test
    void aFileThatIsMissingIsTriedAgainUntilItAppears() throws IOException {
        Path later = TestClips.cacheDirectory().resolve("ffmpeg-source")
                .resolve("appears-later-" + ProcessHandle.current().pid() + ".h264");
        Files.deleteIfExists(later);
        Recorder recorder = new Recorder();
        FfmpegSource source = recorder.source("later", FfmpegSourceOptions.of(later.toString()).withRealtime(false)
                .withReconnect(Duration.ofMillis(600)));
        try {
            source.start();
            Recorder.awaitCondition(() -> source.reconnects() >= 2, TIMEOUT, () -> "reconnects: " + source.reconnects());
            assertEquals(1, recorder.offline.size(), "one offline event while it stays offline");
            assertTrue(recorder.online.isEmpty());
            Files.createDirectories(later.getParent());
            // Whole or not at all: a half-copied file would end the stream early.
            Path partial = later.resolveSibling(later.getFileName() + ".partial");
            Files.copy(TestClips.h264Small(), partial, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, later, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            recorder.awaitUnits(50, TIMEOUT);
            assertEquals(1, recorder.online.size());
        } finally {
            source.close();
            Files.deleteIfExists(later);
        }
    }
}
