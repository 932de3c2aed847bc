package io.virta.cli;

import com.google.protobuf.Message;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.TestClips;
import io.virta.cli.VirtaJvm;
import io.virta.protos.control.v1.GetStreamRequest;
import io.virta.protos.control.v1.ListStreamsRequest;
import io.virta.protos.control.v1.ProducerControlGrpc;
import io.virta.protos.control.v1.StreamConfig;
import io.virta.protos.control.v1.StreamState;
import io.virta.protos.control.v1.StreamStatus;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.QueryRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Property: no camera password, whatever its characters (spaces, quotes, {@code @ : / % # ?},
 * backslashes, tabs, non-ASCII letters, emoji), reaches any output of a running producer, in
 * whole or in part. Random passwords (seeded; the seed is in every failure) are given in every
 * way the producer takes them: raw in the URL, percent-encoded in the URL, in {@code password:},
 * from the YAML file and over AddStream, on cameras that go online (a real gst-rtsp-server with
 * digest authentication), that are refused (401), that cannot connect, on an FFmpeg http camera,
 * and in AddStream requests that are invalid. The outputs searched are everything the
 * {@code virta producer} process prints (log lines, status lines, shutdown), every string in the
 * control API's ListStreams/GetStream replies (lastError included) and error statuses, the web
 * view's {@code /api/cameras}, and the event hub's events.
 *
 * <p>Each password is three random 8-character segments joined by two special characters; the
 * search looks for each segment, so a password cut short at a space or a quote is still caught.
 */
@Timeout(150)
class PasswordRedactionTest {
    private static final String[] SPECIALS = {" ", "\"", "@", ":", "/", "%", "ä", "漢", "'", "#", "?", "&", "\\",
            "+", "😀", "\t"};
    private static final String SEGMENT_FIRST = "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ"; // no hex digit after a '%'
    private static final String SEGMENT_REST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String USER = "viewer";

    private record Secret(String password, List<String> segments) {
    }

    private static Secret secret(Random random, int index) {
        List<String> segments = new ArrayList<>();
        StringBuilder password = new StringBuilder();
        for (int s = 0; s < 3; s++) {
            StringBuilder segment = new StringBuilder();
            segment.append(SEGMENT_FIRST.charAt(random.nextInt(SEGMENT_FIRST.length())));
            for (int i = 1; i < 8; i++) {
                segment.append(SEGMENT_REST.charAt(random.nextInt(SEGMENT_REST.length())));
            }
            segments.add(segment.toString());
            password.append(segment);
            if (s < 2) {
                password.append(SPECIALS[(2 * index + s) % SPECIALS.length]); // every special, over the secrets
            }
        }
        return new Secret(password.toString(), List.copyOf(segments));
    }

    /** A YAML (and JSON) double-quoted string. */
    private static String quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static String percentEncoded(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(String.format("%02X", b & 0xff));
        }
        return out.toString();
    }

    @Test
    void noPasswordReachesAnyOutput(@TempDir Path dir) throws Exception {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        List<Secret> secrets = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            secrets.add(secret(random, i));
        }
        Secret good = secrets.getFirst();
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small())
                .auth(GstRtspServer.Auth.DIGEST, USER, good.password()).start()) {
            String hostPort = "127.0.0.1:" + server.port();
            Map<String, String> yamlCameras = new LinkedHashMap<>();
            yamlCameras.put("okraw" + pid, "url: " + quoted("rtsp://" + USER + ":" + good.password() + "@" + hostPort + "/cam"));
            yamlCameras.put("okpct" + pid, "url: " + quoted(server.url("/cam", USER, good.password())));
            yamlCameras.put("okfield" + pid, "url: " + quoted(server.url("/cam")) + ", user: " + USER + ", password: "
                    + quoted(good.password()));
            yamlCameras.put("badraw" + pid, "url: " + quoted("rtsp://" + USER + ":" + secrets.get(1).password() + "@"
                    + hostPort + "/cam"));
            yamlCameras.put("badpct" + pid, "url: " + quoted("rtsp://" + USER + ":" + percentEncoded(secrets.get(2)
                    .password()) + "@" + hostPort + "/cam"));
            yamlCameras.put("badfield" + pid, "url: " + quoted(server.url("/cam")) + ", user: " + USER + ", password: "
                    + quoted(secrets.get(3).password()));
            yamlCameras.put("closed" + pid, "url: " + quoted("rtsp://" + USER + ":" + secrets.get(4).password()
                    + "@127.0.0.1:" + closed + "/cam"));
            yamlCameras.put("http" + pid, "url: " + quoted("http://" + USER + ":" + secrets.get(5).password()
                    + "@127.0.0.1:" + closed + "/live.ts"));
            StringBuilder yaml = new StringBuilder("""
                    control: { listen: "127.0.0.1:0" }
                    events: { journal: "%s" }
                    webView: { listen: "127.0.0.1:0" }
                    cameras:
                    """.formatted(dir.resolve("events")));
            yamlCameras.forEach((name, settings) -> yaml.append("  - { name: ").append(name).append(", ").append(settings)
                    .append(", reconnectSeconds: 2, rgb: { enabled: false }, transport: tcp }\n"));
            Path config = Files.writeString(dir.resolve("cameras.yaml"), yaml);

            ProcessBuilder launch = new ProcessBuilder(VirtaJvm.command("producer", "--config", config.toString(),
                    "--status-every", "1")).redirectErrorStream(true);
            // FFmpeg's own log, turned up as for troubleshooting, quotes the URLs it opens.
            launch.environment().put("VIRTA_FFMPEG_LOG", "debug");
            Process producer = launch.start();
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            BufferedReader out = new BufferedReader(new InputStreamReader(producer.getInputStream(), StandardCharsets.UTF_8));
            Thread drain = Thread.ofPlatform().daemon().start(() -> {
                try {
                    out.lines().forEach(lines::add);
                } catch (java.io.UncheckedIOException closedAtExit) {
                    // the lines read so far are kept
                }
            });
            Map<String, String> outputs = new LinkedHashMap<>();
            try {
                String target = awaitLine(lines, "producer: control API (gRPC virta.control.v1.ProducerControl) on ");
                target = target.substring(0, target.indexOf(' ') < 0 ? target.length() : target.indexOf(' '));
                String web = awaitLine(lines, "producer: web live view on ");
                ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
                try {
                    var api = ProducerControlGrpc.newBlockingStub(channel);
                    Map<String, StreamConfig> added = new LinkedHashMap<>();
                    added.put("apiokraw" + pid, StreamConfig.newBuilder().setUrl("rtsp://" + USER + ":" + good.password()
                            + "@" + hostPort + "/cam").build());
                    added.put("apibadraw" + pid, StreamConfig.newBuilder().setUrl("rtsp://" + USER + ":"
                            + secrets.get(6).password() + "@" + hostPort + "/cam").build());
                    added.put("apibadfield" + pid, StreamConfig.newBuilder().setUrl(server.url("/cam")).setUser(USER)
                            .setPassword(secrets.get(7).password()).build());
                    for (var e : added.entrySet()) {
                        api.withDeadlineAfter(20, TimeUnit.SECONDS).addStream(e.getValue().toBuilder().setName(e.getKey())
                                .setReconnectSeconds(2).setTransport(io.virta.protos.control.v1.Transport.TRANSPORT_TCP)
                                .build());
                    }
                    // Requests refused: their errors must not quote the password either.
                    List<String> refused = List.of(
                            "rtsp://" + USER + ":" + secrets.get(8).password() + "@127.0.0.1:99999/cam",
                            "rtsp://" + USER + ":" + secrets.get(9).password() + "@/cam",
                            "rtsp://" + USER + ":" + secrets.get(10).password() + "@127.0.0.1/c a m",
                            "http://" + USER + ":" + secrets.get(11).password() + "@127.0.0.1/live.ts");
                    for (String url : refused) {
                        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> api
                                .withDeadlineAfter(20, TimeUnit.SECONDS)
                                .addStream(StreamConfig.newBuilder().setName("refused" + pid).setUrl(url).build()));
                        outputs.merge("AddStream errors", e.getStatus().getDescription() + "\n", String::concat);
                    }

                    List<String> online = List.of("okraw" + pid, "okpct" + pid, "okfield" + pid, "apiokraw" + pid);
                    List<String> failing = List.of("badraw" + pid, "badpct" + pid, "badfield" + pid, "closed" + pid,
                            "http" + pid, "apibadraw" + pid, "apibadfield" + pid);
                    for (String name : online) {
                        awaitStream(api, name, s -> s.getState() == StreamState.STREAM_STATE_ONLINE, seed, lines);
                    }
                    for (String name : failing) {
                        awaitStream(api, name, s -> !s.getLastError().isEmpty(), seed, lines);
                    }
                    int before = lines.size();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    // A snapshot: the reader thread appends while this counts.
                    while (statusLines(List.copyOf(lines), before, "okraw" + pid + ": ") < 2) {
                        assertTrue(System.nanoTime() < deadline, "two status lines within 20 s");
                        Thread.sleep(100);
                    }
                    for (StreamStatus s : api.withDeadlineAfter(20, TimeUnit.SECONDS)
                            .listStreams(ListStreamsRequest.getDefaultInstance()).getStreamsList()) {
                        assertTrue(s.getLastError().isEmpty() || s.getLastError().startsWith("camera "), s.getLastError());
                        outputs.merge("ListStreams", strings(s), String::concat);
                        outputs.merge("GetStream", strings(api.withDeadlineAfter(20, TimeUnit.SECONDS)
                                .getStream(GetStreamRequest.newBuilder().setName(s.getName()).build())), String::concat);
                    }
                    assertEquals(online.size() + failing.size(), api.listStreams(ListStreamsRequest.getDefaultInstance())
                            .getStreamsCount());
                    outputs.put("event hub", hubEvents(channel));
                } finally {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
                HttpResponse<String> cameras = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(web.replaceAll("/?$", "") + "/api/cameras")).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                assertEquals(200, cameras.statusCode(), cameras.body());
                assertTrue(cameras.body().contains("\"lastError\":\"camera "), cameras.body());
                outputs.put("/api/cameras", cameras.body());
            } finally {
                producer.destroy(); // SIGTERM: the shutdown's lines are output too
                drain.join(30_000); // to the end of its output
                assertTrue(producer.waitFor(30, TimeUnit.SECONDS), "exits after SIGTERM");
            }
            String log = String.join("\n", List.copyOf(lines));
            assertTrue(log.contains("okraw" + pid + ": online"), log);
            outputs.put("producer output (log and status lines)", log);

            List<String> leaks = new ArrayList<>();
            for (Secret secret : secrets) {
                List<String> needles = new ArrayList<>(secret.segments());
                needles.add(percentEncoded(secret.password()));
                for (var output : outputs.entrySet()) {
                    for (String needle : needles) {
                        int at = output.getValue().indexOf(needle);
                        if (at >= 0) {
                            leaks.add(output.getKey() + " shows '" + needle + "' of password " + quoted(secret.password())
                                    + ": ..." + output.getValue().substring(Math.max(0, at - 80),
                                    Math.min(output.getValue().length(), at + 80)) + "...");
                        }
                    }
                }
            }
            assertEquals(List.of(), leaks, "seed " + seed);
        }
    }

    private static long statusLines(List<String> snapshot, int from, String prefix) {
        return snapshot.subList(from, snapshot.size()).stream().filter(l -> l.startsWith(prefix)).count();
    }

    private static String awaitLine(List<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            for (String line : List.copyOf(lines)) {
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length());
                }
            }
            assertTrue(System.nanoTime() < deadline, "'" + prefix + "' within 30 s: " + lines);
            Thread.sleep(50);
        }
    }

    private static void awaitStream(ProducerControlGrpc.ProducerControlBlockingStub api, String name,
            Predicate<StreamStatus> condition, long seed, List<String> lines) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        StreamStatus status;
        do {
            status = api.withDeadlineAfter(20, TimeUnit.SECONDS).getStream(GetStreamRequest.newBuilder().setName(name)
                    .build());
            if (condition.test(status)) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        fail("seed " + seed + ": camera " + name + " did not reach the expected state: " + status + "\n" + lines);
    }

    /** Every string field, at any depth, one per line: text, as a client would show it. */
    private static String strings(Message message) {
        StringBuilder out = new StringBuilder();
        message.getAllFields().forEach((field, value) -> {
            for (Object v : value instanceof List<?> list ? list : List.of(value)) {
                if (v instanceof Message m) {
                    out.append(strings(m));
                } else if (v instanceof String s) {
                    out.append(field.getName()).append('=').append(s).append('\n');
                }
            }
        });
        return out.toString();
    }

    private static String hubEvents(ManagedChannel channel) {
        StringBuilder out = new StringBuilder();
        try {
            var events = EventHubGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .query(QueryRequest.getDefaultInstance());
            while (events.hasNext()) {
                out.append(strings(events.next()));
            }
        } catch (StatusRuntimeException e) {
            out.append(e.getStatus().getDescription());
        }
        return out.toString();
    }
}
