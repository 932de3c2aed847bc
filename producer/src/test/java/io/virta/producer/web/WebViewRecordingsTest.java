package io.virta.producer.web;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.daemon.Producer;
import io.virta.producer.recording.RecordedCameraYaml;
import io.virta.producer.source.StreamEvents;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.HeadlessChromium;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web view serves recorded video (docs/recording.md, "HTTP"): a producer records a gst-rtsp-server
 * camera into a temporary store; {@code /api/recordings} lists its spans, {@code /export/...} answers
 * Range requests byte for byte like the whole file, ffprobe reads the download, headless Chromium plays
 * the export in a {@code <video>} and seeks in it, and the Host/Origin checks apply.
 */
@Timeout(120)
class WebViewRecordingsTest {
    private static final String CAMERA = "webrec" + ProcessHandle.current().pid();
    private static final Duration WITHIN = Duration.ofSeconds(30);

    private static GstRtspServer rtsp;
    private static Path store;
    private static Producer producer;
    private static String base;
    private static String exportQuery;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void record() throws Exception {
        rtsp = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start();
        store = Files.createTempDirectory("virta-webrec");
        producer = new Producer(ProducerConfig.parse(RecordedCameraYaml.of(store, CAMERA, rtsp.url("/cam"),
                "webView: { listen: \"127.0.0.1:0\" }\n", 2), "test"), StreamEvents.NONE);
        producer.start();
        base = producer.webView().url();
        // Three seconds of video: enough to seek into the middle of.
        await(() -> producer.status(CAMERA).recording().framesWritten(), n -> n >= 4L * TestClips.FPS,
                "four seconds recorded");
        JsonObject spans = await(() -> recordings("?from=-1h"), j -> j.getAsJsonArray("spans").size() > 0
                && span(j, "endMicros") - span(j, "startMicros") >= 3_000_000, "three seconds indexed");
        long start = span(spans, "startMicros");
        exportQuery = "?from=" + iso(start) + "&to=" + iso(start + 3_000_000);
    }

    @AfterAll
    static void stop() throws IOException {
        if (producer != null) {
            producer.close();
        }
        if (rtsp != null) {
            rtsp.close();
        }
        if (store != null) {
            try (var files = Files.walk(store)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void recordingsListTheSpansGapsAndStoreAndRefusalsSayWhatToDo() throws Exception {
        JsonObject listed = recordings("?from=-1h&to=now");
        assertEquals(CAMERA, listed.get("camera").getAsString());
        assertEquals(store.toString(), listed.get("store").getAsString());
        JsonObject first = listed.getAsJsonArray("spans").get(0).getAsJsonObject();
        assertEquals(Instant.EPOCH.plus(first.get("startMicros").getAsLong(), ChronoUnit.MICROS).toString(),
                first.get("start").getAsString());
        JsonArray gaps = listed.getAsJsonArray("gaps");
        assertEquals(listed.get("fromMicros").getAsLong(), gaps.get(0).getAsJsonObject().get("startMicros").getAsLong(),
                "the hour before the recording started is a gap");
        assertTrue(listed.get("mp4").getAsString().startsWith("/export/" + CAMERA + ".mp4?from="), listed.toString());

        HttpResponse<String> unknown = get("api/recordings/nosuch", "");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(unknown.body().contains("no camera named 'nosuch'") && unknown.body().contains("/api/cameras"),
                unknown.body());
        HttpResponse<String> badTime = get("api/recordings/" + CAMERA + "?from=yesterday", "");
        assertEquals(400, badTime.statusCode());
        assertTrue(badTime.body().contains("from of " + CAMERA + ": 'yesterday': give ISO-8601"), badTime.body());
        HttpResponse<String> ancient = get("api/recordings/" + CAMERA + "?from=-999999999d", "");
        assertEquals(400, ancient.statusCode(), "a moment µs cannot count");
        assertTrue(ancient.body().contains("out of range"), ancient.body());
        HttpResponse<String> reversed = get("export/" + CAMERA + ".mp4?from=now&to=-1h", "");
        assertEquals(400, reversed.statusCode());
        assertTrue(reversed.body().contains("swap from and to"), reversed.body());
        HttpResponse<String> nothing = get("export/" + CAMERA + ".mp4?from=-3h&to=-2h", "");
        assertEquals(404, nothing.statusCode());
        assertTrue(nothing.body().contains(CAMERA), nothing.body());
        HttpResponse<String> noStart = get("export/" + CAMERA + ".mp4", "");
        assertEquals(400, noStart.statusCode());
        assertTrue(noStart.body().contains("add ?from="), noStart.body());
    }

    @Test
    void rangesAreTheSameBytesAsTheWholeFileAndFfprobeReadsIt() throws Exception {
        String url = "export/" + CAMERA + ".mp4" + exportQuery;
        HttpResponse<byte[]> whole = bytes(url, null, null);
        assertEquals(200, whole.statusCode());
        byte[] file = whole.body();
        assertEquals(String.valueOf(file.length), whole.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("bytes", whole.headers().firstValue("Accept-Ranges").orElseThrow());
        assertEquals("video/mp4", whole.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(whole.headers().firstValue("Content-Disposition").orElseThrow()
                .matches("inline; filename=\"" + CAMERA + "-\\d{8}T\\d{6}Z\\.mp4\""), whole.headers().toString());
        assertTrue(whole.headers().firstValue("Last-Modified").isPresent());
        String etag = whole.headers().firstValue("ETag").orElseThrow();
        long planned = producer.webView().exportsPlanned();

        Random random = new Random(15);
        for (int i = 0; i < 20; i++) {
            int first = random.nextInt(file.length);
            int last = Math.min(file.length - 1, first + random.nextInt(300_000));
            HttpResponse<byte[]> part = bytes(url, "bytes=" + first + "-" + last, null);
            assertEquals(206, part.statusCode());
            assertEquals("bytes " + first + "-" + last + "/" + file.length,
                    part.headers().firstValue("Content-Range").orElseThrow());
            assertArrayEquals(Arrays.copyOfRange(file, first, last + 1), part.body(), "bytes " + first + "-" + last);
        }
        assertArrayEquals(Arrays.copyOfRange(file, file.length - 100, file.length), bytes(url, "bytes=-100", null).body());
        assertArrayEquals(Arrays.copyOfRange(file, 1000, file.length), bytes(url, "bytes=1000-", null).body());
        assertEquals(planned, producer.webView().exportsPlanned(), "every request served by the first one's planning");

        HttpResponse<byte[]> beyond = bytes(url, "bytes=" + file.length + "-", null);
        assertEquals(416, beyond.statusCode());
        assertEquals("bytes */" + file.length, beyond.headers().firstValue("Content-Range").orElseThrow());
        assertTrue(new String(beyond.body(), StandardCharsets.UTF_8).contains(CAMERA));
        assertEquals(206, bytes(url, "bytes=0-9", etag).statusCode(), "If-Range with the current ETag");
        HttpResponse<byte[]> changed = bytes(url, "bytes=0-9", "\"another\"");
        assertEquals(200, changed.statusCode(), "If-Range with another ETag: the whole file");
        assertArrayEquals(file, changed.body());
        HttpResponse<byte[]> head = HTTP.send(HttpRequest.newBuilder(URI.create(base + url))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(file.length), head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(0, head.body().length);
        HttpResponse<byte[]> unchanged = HTTP.send(HttpRequest.newBuilder(URI.create(base + url))
                .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(304, unchanged.statusCode());

        Path download = store.resolveSibling(store.getFileName() + "-download.mp4");
        Path mkv = store.resolveSibling(store.getFileName() + "-download.mkv");
        try {
            Files.write(download, file);
            assertEquals("h264", ffprobeCodec(download));
            Files.write(mkv, bytes("export/" + CAMERA + ".mkv" + exportQuery, null, null).body());
            assertEquals("h264", ffprobeCodec(mkv));
        } finally {
            Files.deleteIfExists(download);
            Files.deleteIfExists(mkv);
        }
    }

    @Test
    void manyUrlsKeepAtMostEightPlannedFilesAndEachStillAnswers() throws Exception {
        String from = exportQuery.substring("?from=".length(), exportQuery.indexOf('&'));
        long start = Instant.parse(java.net.URLDecoder.decode(from, StandardCharsets.UTF_8)).toEpochMilli() * 1000;
        for (int i = 0; i < ExportCache.MAX_FILES + 3; i++) {
            String url = "export/" + CAMERA + ".mkv?from=" + from + "&to=" + iso(start + 1_000_000 + i * 100_000L);
            HttpResponse<byte[]> part = bytes(url, "bytes=0-3", null);
            assertEquals(206, part.statusCode(), url);
            assertArrayEquals(new byte[] {0x1a, 0x45, (byte) 0xdf, (byte) 0xa3}, part.body(), "an EBML header");
            assertTrue(producer.webView().exportsKept() <= ExportCache.MAX_FILES, "kept " + producer.webView().exportsKept());
        }
    }

    @Test
    void aForeignOriginOrHostIsRefused() throws Exception {
        HttpResponse<String> foreign = get("export/" + CAMERA + ".mp4" + exportQuery, "http://evil.example");
        assertEquals(403, foreign.statusCode());
        assertTrue(!foreign.body().contains("ftyp"), "no video to another site");
        assertEquals(403, get("api/recordings/" + CAMERA, "http://evil.example").statusCode());
    }

    @Test
    void chromiumPlaysTheExportAndSeeksInIt() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.open(base);
            browser.run("""
                    const v = document.createElement('video');
                    v.id = 'export'; v.muted = true; v.preload = 'auto';
                    v.addEventListener('seeked', () => { v.dataset.seeked = String(v.currentTime); });
                    v.addEventListener('error', () => { v.dataset.error = String(v.error && v.error.message); });
                    v.src = '/export/%s.mp4%s';
                    document.body.appendChild(v);
                    return true;
                    """.formatted(CAMERA, exportQuery));
            JsonObject loaded = await(() -> video(browser, ""), s -> s.has("error") || s.get("readyState").getAsInt() >= 1,
                    "the export's metadata");
            assertTrue(!loaded.has("error"), loaded.toString());
            double duration = loaded.get("duration").getAsDouble();
            assertTrue(duration > 2.5 && duration < 3.5, "three seconds: " + loaded);
            double middle = duration / 2;
            browser.run("const v = document.getElementById('export'); v.currentTime = " + middle + "; return true;");
            JsonObject seeked = await(() -> video(browser, ""), s -> s.has("seeked") || s.has("error"), "the seek");
            assertTrue(!seeked.has("error"), seeked.toString());
            assertEquals(middle, seeked.get("seeked").getAsDouble(), 0.1, seeked.toString());
            browser.run("document.getElementById('export').play(); return true;");
            JsonObject played = await(() -> video(browser, ""), s -> s.get("frames").getAsInt() > 5
                    && s.get("currentTime").getAsDouble() > middle, "frames decoded after the seek");
            assertTrue(played.get("videoWidth").getAsInt() > 0, played.toString());
        }
    }

    private static JsonObject video(HeadlessChromium browser, String extra) {
        return browser.run("""
                const v = document.getElementById('export');
                const out = {readyState: v.readyState, duration: v.duration, currentTime: v.currentTime,
                  frames: v.getVideoPlaybackQuality().totalVideoFrames, videoWidth: v.videoWidth};
                if (v.dataset.seeked) out.seeked = Number(v.dataset.seeked);
                if (v.dataset.error) out.error = v.dataset.error;
                %s
                return out;
                """.formatted(extra)).getAsJsonObject();
    }

    private static String ffprobeCodec(Path file) throws Exception {
        Process probe = new ProcessBuilder("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                "stream=codec_name", "-of", "default=nw=1:nk=1", file.toString()).redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(probe.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, probe.exitValue(), out);
        return out;
    }

    private static JsonObject recordings(String query) {
        try {
            HttpResponse<String> response = get("api/recordings/" + CAMERA + query, "");
            assertEquals(200, response.statusCode(), response.body());
            return JsonParser.parseString(response.body()).getAsJsonObject();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static long span(JsonObject listed, String field) {
        JsonArray spans = listed.getAsJsonArray("spans");
        return spans.get(field.startsWith("start") ? 0 : spans.size() - 1).getAsJsonObject().get(field).getAsLong();
    }

    private static String iso(long micros) {
        return URLEncoder.encode(Instant.EPOCH.plus(micros, ChronoUnit.MICROS).toString(), StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> get(String path, String origin) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (!origin.isEmpty()) {
            request.header("Origin", origin);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> bytes(String path, String range, String ifRange) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (range != null) {
            request.header("Range", range);
        }
        if (ifRange != null) {
            request.header("If-Range", ifRange);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static <T> T await(Supplier<T> state, Predicate<T> done, String what) throws InterruptedException {
        long giveUp = System.nanoTime() + WITHIN.toNanos();
        T last = state.get();
        while (!done.test(last)) {
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("waited " + WITHIN.toSeconds() + " s for " + what + "; last: " + last);
            }
            Thread.sleep(50);
            last = state.get();
        }
        return last;
    }
}
