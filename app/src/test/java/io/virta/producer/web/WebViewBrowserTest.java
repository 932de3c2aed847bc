package io.virta.producer.web;

import com.google.gson.JsonObject;
import io.netty.channel.nio.NioEventLoopGroup;
import io.virta.hub.EventHub;
import io.virta.producer.config.EventsConfig;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.control.ProducerEventHub;
import io.virta.producer.daemon.Producer;
import io.virta.demo.camera.DemoCamera;
import io.virta.demo.camera.DemoPattern;
import io.virta.producer.source.StreamEvents;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.server.MediaMount;
import io.virta.rtsp.server.RtspServer;
import io.virta.testkit.HeadlessChromium;
import io.virta.testkit.TestClips;
import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The web live view in a real browser: a real producer ingests the demo camera over RTSP (and an
 * HEVC clip), serves the page, and headless Chromium plays it through MSE. One browser for the class.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebViewBrowserTest {
    static final String TOKEN = "test-token-0123";
    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    /** H.264 at the demo's bitrate, then Chromium's YUV to RGB. */
    private static final int TOLERANCE = 20;
    private static NioEventLoopGroup cameraLoop;
    private static DemoCamera demo;
    private static Producer producer;
    private static EventHub hub;
    private static Path journal;
    private static HeadlessChromium browser;
    static String page;
    private static String yaml;

    @BeforeAll
    static void start() throws Exception {
        cameraLoop = new NioEventLoopGroup(1);
        demo = new DemoCamera(WIDTH, HEIGHT, 25);
        MediaMount mount = new MediaMount("demo", VideoCodec.H264);
        demo.addListener(mount::publish);
        RtspServer camera = new RtspServer(cameraLoop).mount(mount).bind("127.0.0.1", 0);
        demo.start();
        int webPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            // A fixed port, so the page can find the producer again after it restarts.
            webPort = free.getLocalPort();
        }
        yaml = "cameras:\n"
                + "  - {name: bars, url: '" + camera.url("demo") + "', decode: false}\n"
                + "  - {name: hevc, url: '" + TestClips.h265().toAbsolutePath() + "', loop: true, decode: false}\n"
                + "rtspServer: {listen: '127.0.0.1:0'}\n"
                + "webView: {listen: '127.0.0.1:" + webPort + "', token: " + TOKEN + "}\n";
        journal = Files.createTempDirectory("virta-web-journal");
        startProducer();
        page = producer.webView().url() + "?token=" + TOKEN;
        // rebind.test stands for an attacker's name whose DNS answer is switched to 127.0.0.1.
        browser = HeadlessChromium.start(List.of("--host-resolver-rules=MAP rebind.test 127.0.0.1"));
        browser.open(page);
    }

    private static void startProducer() throws Exception {
        producer = new Producer(ProducerConfig.parse(yaml, "test config"), StreamEvents.NONE);
        hub = ProducerEventHub.open(new EventsConfig(true, journal, Duration.ofHours(1)), producer);
        producer.webView().events(hub);
        producer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (demo != null) {
            demo.close();
        }
        if (cameraLoop != null) {
            cameraLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        if (journal != null) {
            try (var files = Files.walk(journal)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The page's state of one camera tile, as JSON (null fields until the tile exists). */
    private static JsonObject tile(String camera, String extra) {
        String script = """
                const t = window.virta && window.virta.tiles.get('%s');
                if (!t) return {page: location.href + ' ' + (document.getElementById('producer') || {}).textContent};
                const v = t.video, q = v.getVideoPlaybackQuality();
                const out = {currentTime: v.currentTime, frames: q.totalVideoFrames, playing: t.playing,
                  reconnects: t.reconnects, notice: t.notice.textContent, boxesDrawn: t.boxesDrawn,
                  videoWidth: v.videoWidth};
                %s
                return out;
                """.formatted(camera, extra);
        return browser.run(script).getAsJsonObject();
    }

    private static JsonObject awaitTile(String camera, String extra, Predicate<JsonObject> until, String what)
            throws InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonObject last = null;
        while (System.nanoTime() < giveUp) {
            last = tile(camera, extra);
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        fail(camera + ": " + what + " within 30 s; the tile's last state: " + last);
        return last;
    }

    private static double number(JsonObject o, String field) {
        return o.has(field) && !o.get(field).isJsonNull() ? o.get(field).getAsDouble() : -1;
    }

    @Test
    @Order(1)
    void playsTheCameraLiveWithItsBarsWhereTheyBelong() throws Exception {
        JsonObject first = awaitTile("bars", "", t -> number(t, "currentTime") > 0.3, "video.currentTime did not advance");
        JsonObject later = awaitTile("bars", "", t -> number(t, "frames") > number(first, "frames") + 10
                && number(t, "currentTime") > number(first, "currentTime"), "frames stopped coming");
        assertTrue(number(later, "currentTime") > number(first, "currentTime"));
        DemoPattern pattern = new DemoPattern(WIDTH, HEIGHT);
        StringBuilder reads = new StringBuilder("out.bars = [];\nconst c = document.createElement('canvas');\n"
                + "c.width = v.videoWidth; c.height = v.videoHeight;\nconst g = c.getContext('2d');\n"
                + "g.drawImage(v, 0, 0);\n");
        for (DemoPattern.Bar bar : DemoPattern.Bar.values()) {
            reads.append("out.bars.push(Array.from(g.getImageData(").append(pattern.barCenterX(bar)).append(", ")
                    .append(pattern.barSampleRow()).append(", 1, 1).data.slice(0, 3)));\n");
        }
        String[] mismatch = {""};
        awaitTile("bars", reads.toString(), t -> {
            if (!t.has("bars") || number(t, "videoWidth") != WIDTH) {
                return false;
            }
            mismatch[0] = "";
            DemoPattern.Bar[] bars = DemoPattern.Bar.values();
            for (int i = 0; i < bars.length; i++) {
                var rgb = t.getAsJsonArray("bars").get(i).getAsJsonArray();
                int[] expected = {bars[i].red, bars[i].green, bars[i].blue};
                for (int k = 0; k < 3; k++) {
                    if (Math.abs(rgb.get(k).getAsInt() - expected[k]) > TOLERANCE) {
                        mismatch[0] += " " + bars[i] + " " + rgb + " instead of " + java.util.Arrays.toString(expected) + ";";
                        break;
                    }
                }
            }
            return mismatch[0].isEmpty();
        }, "the demo's bars are not where they belong:" + mismatch[0]);
    }

    @Test
    @Order(5)
    void drawsAnEventsBoxAtTheCaptureTimeOfItsPicture() throws Exception {
        awaitTile("bars", "", t -> Boolean.TRUE.equals(t.has("playing") && t.get("playing").getAsBoolean())
                && number(t, "currentTime") > 0.3, "not playing");
        BoundingBox box = BoundingBox.newBuilder().setX(0.25f).setY(0.25f).setWidth(0.5f).setHeight(0.5f)
                .setLabel("person").setScore(0.9f).build();
        long capture = System.currentTimeMillis() * 1000;
        var report = hub.report(List.of(Event.newBuilder().setType("test").setCamera("bars")
                .setCaptureTimeMicros(capture).addBoxes(box).setSource("WebViewBrowserTest").build()));
        assertEquals(1, report.getAccepted(), report.toString());
        // The top edge's middle, on the overlay canvas (the video fills the stage width: 16:9 both).
        String overlay = """
                const cv = t.canvas, s = cv.width / v.videoWidth;
                const oy = (cv.height - v.videoHeight * s) / 2;
                out.edge = Array.from(cv.getContext('2d').getImageData(Math.round(cv.width / 2),
                    Math.round(oy + 0.25 * v.videoHeight * s), 1, 1).data);
                """;
        awaitTile("bars", overlay, t -> number(t, "boxesDrawn") >= 1 && t.has("edge")
                && t.getAsJsonArray("edge").get(3).getAsInt() > 200
                && t.getAsJsonArray("edge").get(0).getAsInt() > 200, "the event's box was not drawn");
    }

    @Test
    @Order(2)
    void eachSourcesNextEventReplacesItsBoxesAndTheLifetimeClearsTheRest() {
        // The page's own rule, run in the page on made-up events of one camera (ms of capture time).
        String script = """
                const ev = (source, t, boxes) => ({source, captureTimeMs: t, boxes: Array(boxes).fill({})});
                const events = [ev('motion', 0, 2), ev('people', 100, 1), ev('motion', 250, 2), ev('motion', 500, 2),
                                ev('motion', 1000, 0)];
                const at = (shown) => window.virta.eventsOnScreen(events, shown, 500)
                    .map((e) => e.source + '@' + e.captureTimeMs).sort().join(' ');
                return [at(300), at(520), at(650), at(1000), at(1600)];
                """;
        var result = browser.run(script).getAsJsonArray();
        assertEquals("motion@250 people@100", result.get(0).getAsString(), "each source's latest; motion@0 replaced");
        assertEquals("motion@500 people@100", result.get(1).getAsString());
        assertEquals("motion@500", result.get(2).getAsString(), "people@100 is past its 500 ms; nothing replaced it");
        assertEquals("motion@1000", result.get(3).getAsString(), "an event without boxes replaces too");
        assertEquals("", result.get(4).getAsString());
    }

    @Test
    @Order(3)
    void anHevcCameraGetsANoticeInsteadOfAPlayer() throws Exception {
        JsonObject t = awaitTile("hevc", "", s -> s.has("notice") && s.get("notice").getAsString().contains("cannot play"),
                "no notice about HEVC");
        String notice = t.get("notice").getAsString();
        assertTrue(notice.contains("H265") && notice.contains("ffplay rtsp://"), notice);
    }

    @Test
    @Order(10)
    void thePageReconnectsWhenTheCameraRestarts() throws Exception {
        awaitTile("bars", "", t -> number(t, "currentTime") > 0.3, "not playing");
        double reconnects = number(tile("bars", ""), "reconnects");
        producer.stop("bars");
        awaitTile("bars", "", t -> number(t, "reconnects") > reconnects, "the page did not notice the camera stopping");
        producer.start("bars");
        JsonObject back = awaitTile("bars", "", t -> t.get("playing").getAsBoolean() && number(t, "currentTime") > 0.3,
                "the page did not play again after the camera restarted");
        awaitTile("bars", "", t -> number(t, "frames") > number(back, "frames") + 10, "frames stopped coming after the restart");
    }

    @Test
    @Order(11)
    void thePageReconnectsWhenTheProducerRestarts() throws Exception {
        awaitTile("bars", "", t -> number(t, "currentTime") > 0.3, "not playing");
        double reconnects = number(tile("bars", ""), "reconnects");
        hub.close();
        producer.close();
        awaitTile("bars", "", t -> number(t, "reconnects") > reconnects, "the page did not notice the producer going");
        startProducer();
        JsonObject back = awaitTile("bars", "", t -> t.get("playing").getAsBoolean() && number(t, "currentTime") > 0.3,
                "the page did not play again after the producer restarted");
        awaitTile("bars", "", t -> number(t, "frames") > number(back, "frames") + 10,
                "frames stopped coming after the producer restarted");
    }

    /** One raw HTTP/1.1 exchange: the status line and the body, or what the server said before closing. */
    private static String raw(String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", producer.webView().port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) > 0; ) {
                    answer.write(buffer, 0, n);
                    String text = answer.toString(java.nio.charset.StandardCharsets.UTF_8);
                    int headersEnd = text.indexOf("\r\n\r\n");
                    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(text);
                    if (headersEnd > 0 && length.find() && text.length() >= headersEnd + 4 + Integer.parseInt(length.group(1))) {
                        break;
                    }
                }
            } catch (java.net.SocketException closed) {
                // the server answered and closed
            }
            return answer.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    @Order(4)
    void everyRequestNeedsTheTokenAndHostileRequestsGet4xx() throws Exception {
        String noToken = raw("GET /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertTrue(noToken.startsWith("HTTP/1.1 401") && noToken.contains("webView.token"), noToken);
        assertTrue(raw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").startsWith("HTTP/1.1 401"), "the page needs it too");
        assertTrue(raw("GET /ws/bars HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                .startsWith("HTTP/1.1 401"), "so does the video socket");
        assertTrue(raw("GET /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong-token-000\r\n\r\n")
                .startsWith("HTTP/1.1 401"), "a wrong token is refused");
        String bearer = raw("GET /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n");
        assertTrue(bearer.startsWith("HTTP/1.1 200") && bearer.contains("\"name\":\"bars\"")
                && bearer.contains("\"codecs\":\"avc1."), bearer);
        String query = raw("GET /api/cameras?token=" + TOKEN + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertTrue(query.startsWith("HTTP/1.1 200") && query.contains("\"rtsp\":\"rtsp://"), query);

        String auth = "?token=" + TOKEN;
        String unknown = raw("GET /ws/nosuch" + auth + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\r\n");
        assertTrue(unknown.startsWith("HTTP/1.1 404") && unknown.contains("no camera named 'nosuch'"), unknown);
        assertTrue(raw("GET /../../etc/passwd" + auth + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").startsWith("HTTP/1.1 404"));
        assertTrue(raw("GET /ws/bars" + auth + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").startsWith("HTTP/1.1 400"),
                "a plain GET of a socket");
        assertTrue(raw("POST /api/cameras" + auth + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\nhi")
                .startsWith("HTTP/1.1 405"));
        assertTrue(raw("GET /" + auth + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")
                .startsWith("HTTP/1.1 431"));
        assertTrue(raw("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").startsWith("HTTP/1.1 414"));
        assertTrue(raw("\u0001\u0002 garbage\r\n\r\n").startsWith("HTTP/1.1 400"));
        assertTrue(raw("GET /api/cameras" + auth + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").startsWith("HTTP/1.1 200"),
                "the server still serves");
    }

    @Test
    @Order(20)
    void aPageFromAnotherOriginCannotOpenTheSocketsNorReadTheApiThroughARebindingName() throws Exception {
        int webPort = producer.webView().port();
        String probe = """
                <!doctype html><script>
                window.result = 'pending';
                const ws = new WebSocket('ws://127.0.0.1:%d/ws/bars?token=%s');
                ws.binaryType = 'arraybuffer';
                ws.onmessage = () => { window.result = 'received video'; ws.close(); };
                ws.onerror = () => { if (window.result === 'pending') window.result = 'refused'; };
                ws.onclose = () => { if (window.result === 'pending') window.result = 'refused'; };
                </script>""".formatted(webPort, TOKEN);
        com.sun.net.httpserver.HttpServer other = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        other.createContext("/", exchange -> {
            byte[] body = probe.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        other.start();
        try {
            // Another site's page: another origin (another port) on the same loopback address.
            browser.open("http://127.0.0.1:" + other.getAddress().getPort() + "/");
            String result = awaitScript("return window.result;", r -> !"pending".equals(r));
            assertEquals("refused", result, "a WebSocket from another origin");
        } finally {
            other.stop(0);
        }
        // The attacker's name, now resolving to loopback: the page and the API answer 403, whatever the token.
        browser.open("http://rebind.test:" + webPort + "/?token=" + TOKEN);
        String status = awaitScript("""
                if (!window.probe) { window.probe = 'pending';
                  fetch('/api/cameras?token=%s').then(r => r.text().then(t => window.probe = r.status + ' ' + t),
                      e => window.probe = 'failed ' + e); }
                return window.probe;""".formatted(TOKEN), r -> !"pending".equals(r));
        assertTrue(status.startsWith("403 ") && status.contains("webView.allowedHosts")
                && !status.contains("\"cameras\""), status);
        // The page from its own origin still plays.
        browser.open(page);
        awaitTile("bars", "", t -> t.has("playing") && t.get("playing").getAsBoolean() && number(t, "currentTime") > 0.3,
                "the page from its own origin does not play");
    }

    private static String awaitScript(String script, Predicate<String> until) throws InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String last = null;
        while (System.nanoTime() < giveUp) {
            var value = browser.run(script);
            last = value.isJsonNull() ? null : value.getAsString();
            if (last != null && until.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        fail("the page's script did not finish within 20 s: " + last);
        return last;
    }
}
