package io.virta.producer.web;

import io.netty.channel.nio.NioEventLoopGroup;
import io.virta.producer.config.WebViewConfig;
import io.virta.testkit.FuzzCorpus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Mutated and random requests against the web view's real server on a real socket, from a fixed
 * seed: every request the HTTP decoder can frame gets a status line of an expected kind (never a
 * 5xx, never a hang), and the server answers a good request afterwards. The persisted corpus
 * (src/test/resources/fuzz/WebViewFuzzTest) goes first: among it, the %-escape and WebSocket upgrade
 * that once dropped the connection instead of answering 400.
 */
class WebViewFuzzTest {
    private static final long SEED = 0x5eedL;
    private static final int ROUNDS = 1500;
    private static final String TOKEN = "fuzz-token-123";
    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.1 (\\d{3}) ");
    /** A request line, headers without a body length, and the blank line: nothing left to wait for. */
    private static final Pattern WELL_FRAMED = Pattern.compile(
            "[A-Z]+ [\\x21-\\x7e]+ HTTP/1\\.1\r\n(?:(?![Cc]ontent-[Ll]ength|[Tt]ransfer-[Ee]ncoding)[\\x21-\\x39\\x3b-\\x7e]+: [\\x20-\\x7e]*\r\n)*\r\n");
    private static final Set<Integer> EXPECTED = Set.of(101, 200, 400, 401, 403, 404, 405, 413, 414, 431, 503);
    private static final List<String> SEEDS = List.of(
            "GET /api/cameras?token=" + TOKEN + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "GET /?token=" + TOKEN + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            "GET /ws/cam?token=" + TOKEN + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
            "GET /ws/events?camera=cam&camera=%41 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n",
            "HEAD /live.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "GET /export/cam.mp4?from=-10m&to=now&token=" + TOKEN + " HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=0-99\r\n"
                    + "If-Range: \"x\"\r\n\r\n",
            "GET /api/recordings/cam?from=2026-12-07T10:00:00%2B02:00&token=" + TOKEN + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "POST /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n\r\nbody");

    private NioEventLoopGroup group;
    private WebView view;

    @BeforeEach
    void start() {
        group = new NioEventLoopGroup(1);
        view = WebView.start(new WebViewConfig(true, "127.0.0.1:0", TOKEN), group, List::of, camera -> null);
        view.mountCamera("cam");
    }

    @AfterEach
    void stop() throws Exception {
        view.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void mutatedRequestsGetA4xxOrAnAnswerAndTheServerGoesOn() throws Exception {
        for (FuzzCorpus.Case input : FuzzCorpus.of(WebViewFuzzTest.class)) {
            answeredAsExpected(input.bytes(), "corpus case " + input.name());
        }
        Random random = new Random(SEED);
        int answered = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] request = round % 10 == 9 ? randomBytes(random) : mutate(SEEDS.get(random.nextInt(SEEDS.size())), random);
            if (answeredAsExpected(request, "round " + round)) {
                answered++;
            }
        }
        assertTrue(answered > ROUNDS / 2, "most mutated requests are answered: " + answered + " of " + ROUNDS);
        String good = exchange(SEEDS.getFirst().getBytes(StandardCharsets.US_ASCII));
        assertTrue(good.startsWith("HTTP/1.1 200"), good);
    }

    /**
     * Sends {@code request}: true if it got a status line of an expected kind; false if it got nothing
     * because it cannot be framed. Anything else fails the test.
     */
    private boolean answeredAsExpected(byte[] request, String label) throws IOException {
        String response = exchange(request);
        Matcher status = STATUS.matcher(response);
        if (status.find()) {
            int code = Integer.parseInt(status.group(1));
            assertTrue(EXPECTED.contains(code), label + ": status " + code + " for "
                    + printable(request) + "\n" + response);
            return true;
        }
        // No status line: the decoder is still waiting for the rest of a request it cannot frame
        // yet (a mutated length or line end), which a real client ends by closing. A request that
        // is framed whole must be answered.
        assertTrue(response.isEmpty(), label + ": not HTTP: " + response);
        assertFalse(WELL_FRAMED.matcher(new String(request, StandardCharsets.ISO_8859_1)).matches(),
                label + ": no answer to " + printable(request));
        return false;
    }

    @Test
    void malformedPercentEncodingIsABadRequest() throws Exception {
        String response = exchange(("GET /api/cameras?token=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertTrue(response.startsWith("HTTP/1.1 400") || response.startsWith("HTTP/1.1 401"), response);
        response = exchange("GET /ws/%E0%A4%A?token=fuzz-token-123 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        assertTrue(response.startsWith("HTTP/1.1 4"), response);
    }

    /** Flips, inserts, deletes or duplicates a few bytes of a valid request. */
    private static byte[] mutate(String seed, Random random) {
        byte[] bytes = seed.getBytes(StandardCharsets.US_ASCII);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = random.nextInt(bytes.length);
            bytes = switch (random.nextInt(4)) {
                case 0 -> {
                    bytes[at] = (byte) random.nextInt(256);
                    yield bytes;
                }
                case 1 -> splice(bytes, at, 0, new byte[] {(byte) random.nextInt(256)});
                case 2 -> bytes.length > 1 ? splice(bytes, at, 1, new byte[0]) : bytes;
                default -> {
                    int length = Math.min(bytes.length - at, 1 + random.nextInt(16));
                    byte[] copy = java.util.Arrays.copyOfRange(bytes, at, at + length);
                    yield splice(bytes, at, 0, copy);
                }
            };
        }
        return bytes;
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + insert.length);
        out.write(bytes, 0, at);
        out.write(insert, 0, insert.length);
        out.write(bytes, at + remove, bytes.length - at - remove);
        return out.toByteArray();
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[1 + random.nextInt(200)];
        random.nextBytes(bytes);
        bytes[bytes.length - 1] = '\n';
        return bytes;
    }

    /** Sends one request and reads what comes back until the server closes, goes quiet, or sends a lot. */
    private String exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", view.port()), 2000);
            socket.setSoTimeout(150);
            socket.getOutputStream().write(request);
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; response.size() < 65536 && (n = in.read(buffer)) > 0; ) {
                    response.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                // A socket upgraded to WebSocket stays open: what came so far is the answer.
            } catch (IOException e) {
                // Reset by the server after an error: what came so far is the answer.
            }
            return response.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String printable(byte[] request) {
        StringBuilder s = new StringBuilder();
        for (byte b : request) {
            s.append(b >= 32 && b < 127 ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff));
        }
        return s.toString();
    }
}
