package io.virta.producer.web;

import io.virta.producer.config.SiteCheck;

import io.netty.channel.nio.NioEventLoopGroup;
import io.virta.producer.config.WebViewConfig;
import io.virta.rtsp.fanout.ConnectionLimits;
import io.virta.testkit.RawSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.virta.testkit.RawSockets.await;

/**
 * Who may use the web view, with real requests on real sockets: the Host and Origin checks that keep
 * other web pages out (DNS rebinding, cross-site WebSockets), the connection cap, and the request
 * timeout. Headless Chromium runs the same attacks in {@link WebViewBrowserTest}.
 */
@Timeout(60)
class WebViewSiteTest {
    private static final String UPGRADE = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final RawSockets sockets = new RawSockets();
    private WebView view;

    private WebView start(List<String> hosts, List<String> origins, ConnectionLimits limits) {
        view = WebView.start(new WebViewConfig(true, "127.0.0.1:0", null, hosts, origins, limits), group, List::of,
                camera -> null);
        view.mountCamera("cam");
        return view;
    }

    @AfterEach
    void stop() throws Exception {
        sockets.close();
        if (view != null) {
            view.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void aHostThatIsNotAnIpLiteralLocalhostOrAListedNameIsRefused() throws Exception {
        start(List.of("cams.example"), List.of(), ConnectionLimits.DEFAULTS);
        int port = view.port();
        String rebound = get("/api/cameras", "Host: evil.example:" + port + "\r\n");
        assertTrue(rebound.startsWith("HTTP/1.1 403") && rebound.contains("webView.allowedHosts")
                && !rebound.contains("cameras\":"), rebound);
        assertTrue(get("/", "Host: evil.example\r\n").startsWith("HTTP/1.1 403"), "the page too");
        assertTrue(get("/api/cameras", "").startsWith("HTTP/1.1 403"), "no Host at all");
        for (String host : new String[] {"127.0.0.1:" + port, "127.0.0.1", "localhost:" + port, "LocalHost.",
                "[::1]:" + port, "cams.example:" + port, "CAMS.example."}) {
            String answer = get("/api/cameras", "Host: " + host + "\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200") && answer.contains("\"cameras\""), host + ": " + answer);
        }
        for (String host : new String[] {"127.0.0.1.evil.example", "127.1", "0x7f000001", "[::1", "cams.example.evil",
                "localhost.evil.example", "", "127.0.0.1:99999"}) {
            assertTrue(get("/api/cameras", "Host: " + host + "\r\n").startsWith("HTTP/1.1 403"), host);
        }
    }

    @Test
    void localhostNamesTheServerOnlyWhileItListensOnLoopback() {
        assertNull(new SiteCheck(List.of(), List.of(), true).refuseHost("localhost:8080"));
        assertNotNull(new SiteCheck(List.of(), List.of(), false).refuseHost("localhost:8080"));
        assertNull(new SiteCheck(List.of(), List.of(), false).refuseHost("192.0.2.7:8080"));
    }

    @Test
    void aWebSocketFromAnotherOriginIsRefusedAndFromItsOwnOrAListedOneAccepted() throws Exception {
        start(List.of(), List.of("https://dashboard.example"), ConnectionLimits.DEFAULTS);
        int port = view.port();
        String host = "Host: 127.0.0.1:" + port + "\r\n";
        for (String origin : new String[] {"http://evil.example", "http://127.0.0.1:" + (port == 1 ? 2 : port - 1),
                "null", "http://127.0.0.1:" + port + ".evil.example", "file://", "https://dashboard.example:444"}) {
            String answer = get("/ws/cam", host + "Origin: " + origin + "\r\n" + UPGRADE);
            assertTrue(answer.startsWith("HTTP/1.1 403") && answer.contains("webView.allowedOrigins"), origin + ": " + answer);
        }
        assertTrue(get("/api/cameras", host + "Origin: http://evil.example\r\n").startsWith("HTTP/1.1 403"),
                "a cross-origin fetch too");
        for (String origin : new String[] {"http://127.0.0.1:" + port, "HTTP://127.0.0.1:" + port,
                "https://dashboard.example", "https://dashboard.example:443"}) {
            assertTrue(get("/ws/cam", host + "Origin: " + origin + "\r\n" + UPGRADE).startsWith("HTTP/1.1 101"), origin);
        }
        assertTrue(get("/ws/cam", host + UPGRADE).startsWith("HTTP/1.1 101"), "a client that is not a browser sends none");
        String portless = "Host: 127.0.0.1\r\n";
        assertTrue(get("/ws/cam", portless + "Origin: http://127.0.0.1\r\n" + UPGRADE).startsWith("HTTP/1.1 101"),
                "port 80 on both sides");
    }

    @Test
    void theCapClosesConnectionsBeyondItAndTheTimeoutThoseThatSendNoRequest() throws Exception {
        start(List.of(), List.of(), new ConnectionLimits(8, Duration.ofSeconds(1)));
        Socket socket = connect();
        socket.getOutputStream().write(("GET /ws/cam HTTP/1.1\r\nHost: 127.0.0.1\r\n" + UPGRADE + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertTrue(readSome(socket).startsWith("HTTP/1.1 101"));
        for (int i = 0; i < 19; i++) {
            connect();
        }
        await(() -> view.connections().open() + view.connections().refused() == 20, "every connection accepted");
        assertEquals(12, view.connections().refused(), "20 connections against a cap of 8");
        // The seven idle ones go after the 1 s request timeout; the video socket stays, the browser never writes to it.
        await(() -> view.connections().closedIdle() == 7, "the idle connections closed");
        Thread.sleep(1500);
        assertEquals(1, view.connections().open(), "the upgraded socket is kept");
        assertEquals(7, view.connections().closedIdle());
        Socket fresh = connect();
        fresh.getOutputStream().write("GET /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(readSome(fresh).startsWith("HTTP/1.1 200"), "served again below the cap");
    }

    private Socket connect() throws IOException {
        return sockets.connect(view.port());
    }

    private static String readSome(Socket socket) throws IOException {
        socket.setSoTimeout(5000);
        byte[] buffer = new byte[4096];
        int n = socket.getInputStream().read(buffer);
        return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** One GET with {@code headers}; what the server answered until it closed or went quiet. */
    private String get(String path, String headers) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", view.port()), 5000);
            socket.setSoTimeout(300);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\n" + headers + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException upgraded) {
                // a WebSocket stays open: what came is the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
