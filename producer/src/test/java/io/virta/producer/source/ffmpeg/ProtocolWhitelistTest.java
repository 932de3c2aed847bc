package io.virta.producer.source.ffmpeg;

import com.sun.net.httpserver.HttpServer;
import io.virta.testkit.FfmpegRtpSender;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An FFmpeg camera reads only through the protocol its URL names. An SDP description served over
 * HTTP must not make the producer open RTP/UDP sockets that the HTTP server chose (FFmpeg's own
 * default for http inputs allows rtp, udp, tcp, tls and more), and real HLS playlists (FFmpeg's own
 * hls demuxer) that point at another protocol are refused: an HTTP playlist must not make the
 * producer read a local {@code file:}, nor a local playlist make it fetch HTTP. Each refusal has a
 * positive twin that differs only in the protocol, which proves the input itself plays. The HTTP
 * server is the JDK's, the RTP sender Debian's ffmpeg; FFmpeg is the libavformat the producer runs.
 */
class ProtocolWhitelistTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private HttpServer http;
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private Path directory;

    @BeforeEach
    void serve() throws IOException {
        directory = Files.createTempDirectory(Files.createDirectories(TestClips.cacheDirectory()), "whitelist-");
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            byte[] body = served.get(path);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        http.start();
        served.put("/segment.ts", Files.readAllBytes(SourceClips.h264Ts()));
    }

    @AfterEach
    void stop() throws IOException {
        http.stop(0);
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    private String httpUrl(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    private static String playlist(String segment) {
        return "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.0,\n"
                + segment + "\n#EXT-X-ENDLIST\n";
    }

    /** A local segment that is not the served one, so that reading it is reading a local file. */
    private Path localSegment() throws IOException {
        Path secret = directory.resolve("local-secret.ts");
        Files.copy(SourceClips.h264Ts(), secret);
        return secret;
    }

    private static Recorder play(String camera, String url, boolean expectUnits) {
        Recorder recorder = new Recorder();
        FfmpegSource source = recorder.source(camera, FfmpegSourceOptions.of(url).withRealtime(false));
        try {
            source.start();
            if (expectUnits) {
                recorder.awaitUnits(10, TIMEOUT);
            } else {
                String reason = recorder.awaitOffline(TIMEOUT);
                assertTrue(reason.startsWith("camera " + camera + ": "), reason);
            }
        } finally {
            source.close();
        }
        return recorder;
    }

    @Test
    void anSdpServedOverHttpCannotMakeTheProducerOpenRtpSockets() throws IOException {
        int port = FfmpegRtpSender.freePortPair();
        try (FfmpegRtpSender sender = FfmpegRtpSender.start(TestClips.h264Small(), "127.0.0.1", port,
                directory.resolve("cam.sdp"))) {
            served.put("/cam.sdp", Files.readAllBytes(directory.resolve("cam.sdp")));
            Recorder recorder = play("httprtp", httpUrl("/cam.sdp"), false);
            assertEquals(0, recorder.units.size(), "no unit may arrive over RTP: " + recorder.offline);
            assertTrue(recorder.offline.getFirst().contains("cannot open") && recorder.offline.getFirst()
                    .contains("may use only http,tcp"), recorder.offline.toString());
            // The same description from a file, allowed the protocols it needs, plays: the stream is real.
            Recorder control = new Recorder();
            FfmpegSource source = control.source("filertp", FfmpegSourceOptions.of(directory.resolve("cam.sdp")
                    .toString()).withAvOption(ProtocolWhitelist.OPTION, "file,udp,rtp"));
            try {
                source.start();
                control.awaitUnits(10, TIMEOUT);
            } finally {
                source.close();
            }
        }
    }

    @Test
    void anHttpPlaylistCannotMakeTheProducerReadALocalFile() throws IOException {
        served.put("/file.m3u8", playlist(localSegment().toUri().toString()).getBytes(StandardCharsets.UTF_8));
        Recorder recorder = play("httpfile", httpUrl("/file.m3u8"), false);
        assertEquals(0, recorder.units.size(), "no unit may come from the local file");
        assertTrue(requests.get("/file.m3u8").get() >= 1, "FFmpeg fetched the playlist");
    }

    @Test
    void anHttpPlaylistOfHttpSegmentsPlays() {
        served.put("/http.m3u8", playlist(httpUrl("/segment.ts")).getBytes(StandardCharsets.UTF_8));
        play("httphttp", httpUrl("/http.m3u8"), true);
        assertTrue(requests.get("/segment.ts").get() >= 1);
    }

    @Test
    void aLocalPlaylistCannotMakeTheProducerFetchHttp() throws IOException {
        Path list = Files.writeString(directory.resolve("remote.m3u8"), playlist(httpUrl("/segment.ts")));
        Recorder recorder = play("filehttp", list.toString(), false);
        assertEquals(0, recorder.units.size());
        assertNull(requests.get("/segment.ts"), "FFmpeg made no HTTP request: " + requests);
    }

    @Test
    void aLocalPlaylistOfLocalSegmentsPlays() throws IOException {
        Path list = Files.writeString(directory.resolve("local.m3u8"), playlist(localSegment().toUri().toString()));
        play("filefile", list.toString(), true);
    }

    @Test
    void theWhitelistIsTheUrlsOwnProtocolAndWhatItStandsOn() {
        assertEquals("file", ProtocolWhitelist.of(FfmpegSourceOptions.of("/videos/a.m3u8")));
        assertEquals("file", ProtocolWhitelist.of(FfmpegSourceOptions.of("file:///videos/a.mkv")));
        assertEquals("http,tcp", ProtocolWhitelist.of(FfmpegSourceOptions.of("HTTP://cam/live.m3u8")));
        assertEquals("https,tls,tcp", ProtocolWhitelist.of(FfmpegSourceOptions.of("https://cam/live.m3u8")));
        assertEquals("none", ProtocolWhitelist.of(FfmpegSourceOptions.of("we,ird://cam/x")));
        assertNull(ProtocolWhitelist.of(FfmpegSourceOptions.of("/dev/video0")));
        assertEquals("file,udp,rtp", ProtocolWhitelist.of(FfmpegSourceOptions.of("/x/cam.sdp")
                .withAvOption(ProtocolWhitelist.OPTION, "file,udp,rtp")), "the YAML file's own choice wins");
    }
}
