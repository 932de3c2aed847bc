package io.virta.producer.config;


import io.virta.rtsp.client.RtspTransport;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProducerConfigTest {
    @Test
    void aFullConfig() throws Exception {
        ProducerConfig config = ProducerConfig.parse("""
                ioThreads: 2
                affinity: { io: "0", decoders: "0-0" }
                control:
                  listen: 127.0.0.1:6000
                cameras:
                  - name: lobby
                    url: rtsp://admin:s3cret@10.0.0.5/stream1
                    transport: tcp
                    reconnectSeconds: 5
                    timestamps: camera
                    encoded: { cells: 32, capacity: 4MiB }
                    rgb: { width: 320, height: 180, fps: 5 }
                    fmp4: { enabled: true, cells: 16, capacity: 1MiB }
                  - name: yard
                    url: rtsp://10.0.0.6/h265
                    user: viewer
                    password: "p@ss"
                    decode: false
                """, "cameras.yaml");
        assertEquals(2, config.ioThreads());
        assertTrue(config.ioCpus().get(0) && config.decoderCpus().get(0));
        assertEquals("127.0.0.1:6000", config.controlListen());
        CameraConfig lobby = config.cameras().get(0);
        assertEquals(RtspTransport.TCP, lobby.transport());
        assertEquals(Duration.ofSeconds(5), lobby.reconnect());
        assertEquals(TimestampMode.CAMERA, lobby.timestamps());
        assertEquals(4 * 1024 * 1024, lobby.encoded().capacityBytes());
        assertEquals(320, lobby.rgb().width());
        assertEquals(5.0, lobby.rgb().fps());
        assertTrue(lobby.yuv().enabled());
        assertEquals(new CameraConfig.Fmp4ChannelConfig(true, 16, 1024 * 1024, 0), lobby.fmp4());
        assertFalse(lobby.toString().contains("s3cret"), lobby.toString());
        CameraConfig yard = config.cameras().get(1);
        assertEquals(RtspTransport.AUTO, yard.transport());
        assertEquals(TimestampMode.SMART, yard.timestamps());
        assertFalse(yard.yuv().enabled());
        assertFalse(yard.rgb().enabled());
        assertFalse(yard.fmp4().enabled(), "the .mp4 channel is off unless asked for");
        assertEquals("p@ss", yard.password());
    }

    @Test
    void errorsNameTheFileTheFieldAndTheProblem() {
        assertError("cameras:\n  - name: a\n    url: rtsp://h/\n    transport: quic\n",
                "cams.yaml: cameras[0].transport: 'quic' is not one of auto, udp, tcp");
        assertError("cameras:\n  - url: rtsp://h/\n", "cams.yaml: cameras[0].name: is required");
        assertError("cameras:\n  - name: a\n", "cams.yaml: cameras[0].url: is required");
        assertError("cameras:\n  - name: a\n    url: rtsp://h/\n    loop: true\n", "cameras[0].loop: applies only to cameras FFmpeg opens");
        assertError("cameras:\n  - name: a\n    url: /v.mkv\n    v4l2: { sise: 1 }\n", "cameras[0].v4l2.sise: unknown setting");
        assertError("cameras:\n  - name: a\n    url: rtsp://h/\n    sdp: /x.sdp\n", "cameras[0].sdp: a camera has either url: or sdp:, not both");
        assertError("cameras:\n  - name: a\n    url: rtsp://u:pw@h:99999/\n", "cams.yaml: cameras[0].url: 'rtsp://***@h:99999/': port '99999' is not 1..65535");
        assertError("cameras:\n  - name: a b\n    url: rtsp://h/\n", "cams.yaml: cameras[0].name: 'a b' cannot name channels");
        assertError("cameras:\n  - name: a\n    url: rtsp://h/\n    rgb: { width: 321 }\n", "width and height must be even");
        assertError("cameras:\n  - name: a\n    url: rtsp://h/\n    reconect: 3\n", "cams.yaml: cameras[0].reconect: unknown setting");
        assertError("cameras:\n  - name: a\n    url: rtsp://h/\n  - name: a\n    url: rtsp://h/\n", "cameras[1].name: 'a' is used by another camera");
        assertError("cameras:\n  - name: a\n    url: rtsp://h/\n    encoded: { capacity: lots }\n", "'lots' is not a size");
        assertError("cameras:\n  - name: a\n    url: rtsp://h/\n    fmp4: { enable: true }\n",
                "cams.yaml: cameras[0].fmp4.enable: unknown setting");
        assertError("cameras:\n  - name: a\n    url: rtsp://h/\n    fmp4: { cells: 1 }\n", "cameras[0].fmp4.cells");
        assertError("cameras: [\n", "cams.yaml: not valid YAML");
        assertError("cameras: 3\n", "cams.yaml: cameras: expected a list");
        assertError("affinity: { io: \"0-x\" }\n", "cams.yaml: affinity.io: '0-x' is not a CPU number or range");
    }

    @Test
    void rtspServerIsOffUnlessConfiguredAndThenOnLoopback() throws Exception {
        assertFalse(ProducerConfig.parse("cameras: []", "t").rtspServer().enabled());
        RtspServerConfig defaults = ProducerConfig.parse("rtspServer: {}", "t").rtspServer();
        assertTrue(defaults.enabled());
        assertEquals("127.0.0.1:8554", defaults.listen());
        assertEquals(RtspServerConfig.Authentication.NONE, defaults.authentication());
        RtspServerConfig withUsers = ProducerConfig.parse("""
                rtspServer:
                  listen: 0.0.0.0:9554
                  users: [{name: ops, password: pw}]
                """, "t").rtspServer();
        assertEquals(RtspServerConfig.Authentication.DIGEST, withUsers.authentication(), "users alone mean digest");
        assertEquals("ops", withUsers.users().get(0).user());
    }

    @Test
    void webViewIsOffUnlessConfiguredAndThenOnLoopbackWithoutToken() throws Exception {
        assertFalse(ProducerConfig.parse("cameras: []", "t").webView().enabled());
        WebViewConfig defaults = ProducerConfig.parse("webView: {}", "t").webView();
        assertTrue(defaults.enabled());
        assertEquals("127.0.0.1:8080", defaults.listen());
        assertEquals(null, defaults.token());
        assertEquals("s3cret-token", ProducerConfig.parse("webView: {token: s3cret-token}", "t").webView().token());
        assertFalse(ProducerConfig.parse("webView: {enabled: false}", "t").webView().enabled());
    }

    @Test
    void webViewErrorsNameTheField() {
        assertError("webView:\n  listen: 8080\n", "cams.yaml: webView.listen: '8080' is not HOST:PORT; write e.g. 127.0.0.1:8080");
        assertError("webView:\n  token: 'a b c d e f'\n", "cams.yaml: webView.token: must be 8..256 characters");
        assertError("webView:\n  port: 80\n", "webView.port");
    }

    @Test
    void serversHaveAConnectionCapAndTimeoutsAndTheWebViewItsNamesAndOrigins() throws Exception {
        RtspServerConfig rtsp = ProducerConfig.parse("rtspServer: {}", "t").rtspServer();
        assertEquals(io.virta.rtsp.fanout.ConnectionLimits.DEFAULTS, rtsp.limits());
        assertEquals(java.time.Duration.ofSeconds(60), rtsp.sessionTimeout());
        rtsp = ProducerConfig.parse("rtspServer: {maxConnections: 32, requestTimeoutSeconds: 5, sessionTimeoutSeconds: 30}",
                "t").rtspServer();
        assertEquals(new io.virta.rtsp.fanout.ConnectionLimits(32, java.time.Duration.ofSeconds(5)), rtsp.limits());
        assertEquals(java.time.Duration.ofSeconds(30), rtsp.sessionTimeout());
        WebViewConfig web = ProducerConfig.parse("""
                webView:
                  maxConnections: 64
                  requestTimeoutSeconds: 10
                  allowedHosts: [Cams.Example.org., nvr]
                  allowedOrigins: ['HTTPS://Dash.Example.org:443', 'http://10.0.0.5:3000']
                """, "t").webView();
        assertEquals(64, web.limits().maxConnections());
        assertEquals(java.util.List.of("cams.example.org", "nvr"), web.allowedHosts());
        assertEquals(java.util.List.of("https://dash.example.org", "http://10.0.0.5:3000"), web.allowedOrigins());
        assertEquals(java.util.List.of(), ProducerConfig.parse("webView: {}", "t").webView().allowedHosts());
        assertError("webView:\n  allowedHosts: ['cams.example.org:8080']\n",
                "cams.yaml: webView.allowedHosts[0]: 'cams.example.org:8080' is not a host name");
        assertError("webView:\n  allowedOrigins: ['https://dash.example.org/page']\n",
                "cams.yaml: webView.allowedOrigins[0]: 'https://dash.example.org/page' is not an origin");
        assertError("webView:\n  maxConnections: 0\n", "cams.yaml: webView.maxConnections: 0 is outside 1..100000");
        assertError("rtspServer:\n  sessionTimeoutSeconds: 0\n", "cams.yaml: rtspServer.sessionTimeoutSeconds: 0 is outside");
    }

    @Test
    void rtspServerErrorsNameTheField() {
        assertError("rtspServer:\n  listen: 8554\n", "cams.yaml: rtspServer.listen: '8554' is not HOST:PORT; write e.g. 127.0.0.1:8554");
        assertError("rtspServer:\n  authentication: basic\n",
                "cams.yaml: rtspServer.authentication: is basic but no users are listed");
        assertError("rtspServer:\n  authentication: kerberos\n",
                "cams.yaml: rtspServer.authentication: 'kerberos' is not one of none, basic, digest");
        assertError("rtspServer:\n  users: [{name: a, password: b}, {name: a, password: c}]\n",
                "rtspServer.users[1].name: 'a' is listed twice");
        assertError("rtspServer:\n  users: [{name: a}]\n", "rtspServer.users[0].password: is required");
        assertError("rtspServer:\n  port: 1\n", "rtspServer");
    }

    @Test
    void workers() throws Exception {
        ProducerConfig config = ProducerConfig.parse("""
                cameras:
                  - name: lobby
                    url: rtsp://h/
                workers:
                  - name: lobby-motion
                    camera: lobby
                    worker: motion
                    args: [--fps, 2]
                  - name: lobby-py
                    camera: lobby
                    command: [/bin/sh, -c, "echo {camera} {control}"]
                    env: { PYTHONPATH: /opt/virta }
                    restart: { minSeconds: 0.5, maxSeconds: 20 }
                """, "cams.yaml");
        WorkerConfig motion = config.workers().get(0);
        assertEquals("motion", motion.javaWorker());
        assertEquals(java.util.List.of("--fps", "2"), motion.args());
        assertEquals(java.time.Duration.ofSeconds(1), motion.restartMin());
        WorkerConfig python = config.workers().get(1);
        assertEquals(java.util.List.of("/bin/sh", "-c", "echo {camera} {control}"), python.command());
        assertEquals("/opt/virta", python.env().get("PYTHONPATH"));
        assertEquals(java.time.Duration.ofMillis(500), python.restartMin());
        assertEquals(java.time.Duration.ofSeconds(20), python.restartMax());
        assertEquals("echo lobby 127.0.0.1:1", WorkerConfig.expand("echo {camera} {control}",
                java.util.Map.of("camera", "lobby", "control", "127.0.0.1:1")));
    }

    @Test
    void workerErrorsNameTheField() {
        String camera = "cameras:\n  - name: a\n    url: rtsp://h/\n";
        assertError(camera + "workers:\n  - name: w\n    camera: b\n    worker: motion\n",
                "cams.yaml: workers[0].camera: no camera named 'b' in cameras:; known: a");
        assertError(camera + "workers:\n  - name: w\n    camera: a\n",
                "cams.yaml: workers[0].worker: give either worker: (a Java worker, e.g. motion) or command:");
        assertError(camera + "workers:\n  - name: w\n    camera: a\n    worker: motion\n    command: [x]\n",
                "workers[0].command: a worker has either worker: or command:, not both");
        assertError(camera + "workers:\n  - name: w\n    camera: a\n    command: [/nonexistent/py]\n",
                "workers[0].command: '/nonexistent/py' is not an executable file");
        assertError(camera + "workers:\n  - name: w\n    camera: a\n    worker: motion\n    args: ['{cam}']\n",
                "workers[0].args: '{cam}' in '{cam}' is not a placeholder");
        assertError(camera + "workers:\n  - name: w\n    camera: a\n    worker: motion\n  - name: w\n    camera: a\n    worker: motion\n",
                "workers[1].name: 'w' is used by another worker");
        assertError(camera + "workers:\n  - name: w\n    camera: a\n    worker: motion\n    restart: { minSeconds: 0 }\n",
                "workers[0].restart.minSeconds");
    }

    @Test
    void aMissingFileSaysSo() {
        var e = assertThrows(ConfigException.class, () -> ProducerConfig.load(Path.of("/nonexistent/cams.yaml")));
        assertEquals("/nonexistent/cams.yaml: no such file", e.getMessage());
    }

    private static void assertError(String yaml, String expected) {
        var e = assertThrows(ConfigException.class, () -> ProducerConfig.parse(yaml, "cams.yaml"));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void aUrlSchemeNeitherRtspNorFfmpegKnowsIsRefusedWithTheClosestOne() throws Exception {
        String camera = "cameras:\n  - name: c\n    url: ";
        for (String[] typo : new String[][] {{"rtps://h/s", "did you mean rtsp://?"}, {"htps://h/s.ts", "did you mean https://?"},
                {"RTPS://h/s", "did you mean rtsp://?"}}) {
            var e = assertThrows(ConfigException.class, () -> ProducerConfig.parse(camera + typo[0], "c.yaml"));
            assertTrue(e.getMessage().startsWith("c.yaml: cameras[0].url: ") && e.getMessage().contains(typo[1]), e.getMessage());
        }
        var far = assertThrows(ConfigException.class, () -> ProducerConfig.parse(camera + "gopherx://h/", "c.yaml"));
        assertFalse(far.getMessage().contains("did you mean"), far.getMessage());
        assertTrue(far.getMessage().contains("rtsp://") && far.getMessage().contains("http"), far.getMessage());
        for (String fine : new String[] {"/videos/a.mkv", "file:///videos/a.mkv", "http://h/live.ts", "/dev/video0", "rtsp://h/s"}) {
            assertEquals(fine, ProducerConfig.parse(camera + fine, "c.yaml").cameras().getFirst().url());
        }
    }
}
