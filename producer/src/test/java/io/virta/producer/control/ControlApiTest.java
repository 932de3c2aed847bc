package io.virta.producer.control;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelType;
import io.virta.bus.PullStatus;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.daemon.Producer;
import io.virta.producer.source.StreamEvents;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.TestClips;
import io.virta.protos.control.v1.ChannelDescriptor;
import io.virta.protos.control.v1.Codec;
import io.virta.protos.control.v1.GetChannelsRequest;
import io.virta.protos.control.v1.GetStreamRequest;
import io.virta.protos.control.v1.ListStreamsRequest;
import io.virta.protos.control.v1.PixelFormat;
import io.virta.protos.control.v1.ProducerControlGrpc;
import io.virta.protos.control.v1.ProducerControlGrpc.ProducerControlBlockingStub;
import io.virta.protos.control.v1.RemoveStreamRequest;
import io.virta.protos.control.v1.RgbChannelConfig;
import io.virta.protos.control.v1.RtpOutConfig;
import io.virta.protos.control.v1.StartStreamRequest;
import io.virta.protos.control.v1.StopStreamRequest;
import io.virta.protos.control.v1.StreamConfig;
import io.virta.protos.control.v1.StreamState;
import io.virta.protos.control.v1.StreamStatus;
import io.virta.protos.control.v1.Transport;
import io.virta.protos.control.v1.YuvChannelConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The control API end to end: a real producer ingesting a real RTSP server (gst-rtsp-server),
 * driven over real gRPC on loopback, with real bus readers attaching to the channels it lists.
 */
@Timeout(120)
class ControlApiTest {
    private static final String CAMERA = "ctl" + ProcessHandle.current().pid();
    private static final Duration ONLINE_WITHIN = Duration.ofSeconds(15);

    private static GstRtspServer rtsp;
    private static Producer producer;
    private static ControlServer control;
    private static ManagedChannel channel;
    private static Path sdpDirectory;

    @BeforeAll
    static void start() throws Exception {
        rtsp = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start();
        sdpDirectory = Files.createTempDirectory("virta-control-sdp-");
        ProducerConfig config = ProducerConfig.parse("""
                ioThreads: 1
                control: { listen: "127.0.0.1:0" }
                rtpOut: { sdpDirectory: "%s", controlApiDestinations: [127.0.0.0/8] }
                cameras:
                  - name: %s
                    url: %s
                    transport: tcp
                    rgb: { width: 160, height: 120 }
                    yuv: { maxWidth: 640, maxHeight: 480 }
                """.formatted(sdpDirectory, CAMERA, rtsp.url("/cam")), "test");
        producer = new Producer(config, StreamEvents.NONE);
        control = ControlServer.start(config.controlListen(), producer);
        producer.start();
        channel = Grpc.newChannelBuilder(control.target(), InsecureChannelCredentials.create()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (control != null) {
            control.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (rtsp != null) {
            rtsp.close();
        }
        if (sdpDirectory != null) {
            try (var files = Files.list(sdpDirectory)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(sdpDirectory);
        }
    }

    private static ProducerControlBlockingStub api() {
        return ProducerControlGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @Test
    void listStreamsShowsTheCameraOnlineWithFramesFlowing() {
        StreamStatus status = awaitStatus(CAMERA, s -> s.getState() == StreamState.STREAM_STATE_ONLINE
                && s.getStats().getFpsIn() > 0 && s.getStats().getFpsOut() > 0);
        List<StreamStatus> all = api().listStreams(ListStreamsRequest.getDefaultInstance()).getStreamsList();
        assertTrue(all.stream().anyMatch(s -> s.getName().equals(CAMERA)), all.toString());
        var stats = status.getStats();
        // The clip is 25 fps; rates over a few seconds of a live loop stay near it.
        assertTrue(stats.getFpsIn() > 5 && stats.getFpsIn() < 60, status.toString());
        assertTrue(stats.getBitrate() > 0, status.toString());
        assertTrue(stats.getPacketsReceived() >= stats.getUnitsReceived() && stats.getUnitsReceived() > 0, status.toString());
        assertTrue(stats.getFramesDecoded() > 0 && stats.getRgbPublished() > 0 && stats.getYuvPublished() > 0,
                status.toString());
        assertEquals(320, stats.getPictureWidth());
        assertEquals(240, stats.getPictureHeight());
        assertTrue(stats.getOnlineCount() >= 1 && stats.getUptimeSeconds() > 0, status.toString());
        assertEquals(Codec.CODEC_H264, status.getCodec());
        assertEquals(Transport.TRANSPORT_TCP, status.getActiveTransport());
        assertEquals(Transport.TRANSPORT_TCP, status.getConfig().getTransport());
        assertEquals(160, status.getConfig().getRgb().getWidth());
    }

    @Test
    void getChannelsListsWhatAReaderCanAttachTo() {
        awaitStatus(CAMERA, s -> s.getState() == StreamState.STREAM_STATE_ONLINE);
        List<ChannelDescriptor> channels = awaitChannels(CAMERA, 3);
        Map<String, ChannelDescriptor> byName = channels.stream()
                .collect(Collectors.toMap(ChannelDescriptor::getName, c -> c));
        assertEquals(List.of(CAMERA + ".h264", CAMERA + ".yuv", CAMERA + ".rgb"),
                channels.stream().map(ChannelDescriptor::getName).toList());
        ChannelDescriptor encoded = byName.get(CAMERA + ".h264");
        assertEquals(io.virta.protos.control.v1.ChannelType.CHANNEL_TYPE_ENCODED, encoded.getType());
        assertEquals(PixelFormat.PIXEL_FORMAT_H264, encoded.getPixelFormat());
        assertEquals(Codec.CODEC_H264, encoded.getCodec());
        assertEquals(64, encoded.getCells());
        assertEquals(2 * 1024 * 1024, encoded.getCellCapacity());
        ChannelDescriptor yuv = byName.get(CAMERA + ".yuv");
        assertEquals(PixelFormat.PIXEL_FORMAT_I420, yuv.getPixelFormat());
        assertEquals(640, yuv.getWidth());
        assertEquals(480, yuv.getHeight());
        ChannelDescriptor rgb = byName.get(CAMERA + ".rgb");
        assertEquals(io.virta.protos.control.v1.ChannelType.CHANNEL_TYPE_RGB24, rgb.getType());
        assertEquals(PixelFormat.PIXEL_FORMAT_RGB24, rgb.getPixelFormat());
        assertEquals(160, rgb.getWidth());
        assertEquals(120, rgb.getHeight());
        assertEquals(8, rgb.getCells());
        assertEquals(160 * 120 * 3, rgb.getCellCapacity());

        // Attach by the listed name alone.
        try (ChannelReader reader = ChannelReader.builder(rgb.getName()).expect(ChannelType.RGB24)
                .awaitWriter(Duration.ofSeconds(10)).open()) {
            int frames = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (frames < 5 && System.nanoTime() < deadline) {
                if (reader.pull(Duration.ofSeconds(2)).hasFrame()) {
                    assertEquals(rgb.getWidth(), reader.frame().width());
                    assertEquals(rgb.getHeight(), reader.frame().height());
                    frames++;
                }
            }
            assertEquals(5, frames, "frames read from " + rgb.getName());
        }
    }

    @Test
    void stopEndsTheChannelsAndStartBringsThemBack() {
        awaitStatus(CAMERA, s -> s.getState() == StreamState.STREAM_STATE_ONLINE);
        String rgbName = awaitChannels(CAMERA, 3).get(2).getName();
        try (ChannelReader reader = ChannelReader.builder(rgbName).awaitWriter(Duration.ofSeconds(10)).open()) {
            assertTrue(pullUntil(reader, PullStatus::hasFrame), "a frame before the stop");

            StreamStatus stopped = api().stopStream(StopStreamRequest.newBuilder().setName(CAMERA).build());
            assertEquals(StreamState.STREAM_STATE_STOPPED, stopped.getState());
            assertEquals(0, stopped.getStats().getUnitsReceived());
            assertEquals(CAMERA, stopped.getConfig().getName(), "the configuration is kept");
            assertTrue(pullUntil(reader, s -> s == PullStatus.END_OF_STREAM), "readers see END_OF_STREAM");
            assertEquals(List.of(), api().getChannels(GetChannelsRequest.newBuilder().setCamera(CAMERA).build())
                    .getChannelsList());
            // Stopping again changes nothing.
            assertEquals(StreamState.STREAM_STATE_STOPPED,
                    api().stopStream(StopStreamRequest.newBuilder().setName(CAMERA).build()).getState());

            StreamStatus started = api().startStream(StartStreamRequest.newBuilder().setName(CAMERA).build());
            assertNotEquals(StreamState.STREAM_STATE_STOPPED, started.getState());
            awaitStatus(CAMERA, s -> s.getState() == StreamState.STREAM_STATE_ONLINE && s.getStats().getFpsOut() > 0);
            assertEquals(3, awaitChannels(CAMERA, 3).size());
            // The same reader re-attaches to the new writer on its own.
            assertTrue(pullUntil(reader, PullStatus::hasFrame), "a frame after the start");
        }
    }

    @Test
    void addAndRemoveASecondCameraAtRuntime() {
        String second = CAMERA + "-b";
        String withPassword = rtsp.url("/cam").replace("rtsp://", "rtsp://viewer:hunter2@");
        StreamConfig config = StreamConfig.newBuilder().setName(second).setUrl(withPassword)
                .setPassword("other-secret")
                .setRgb(RgbChannelConfig.newBuilder().setWidth(96).setHeight(64).setFps(5))
                .setYuv(YuvChannelConfig.newBuilder().setEnabled(false))
                .build();
        StreamStatus added = api().addStream(config);
        assertEquals(second, added.getName());
        assertNotEquals(StreamState.STREAM_STATE_STOPPED, added.getState());
        assertFalse(added.toString().contains("hunter2"), added.toString());
        assertFalse(added.toString().contains("other-secret"), added.toString());
        assertEquals("", added.getConfig().getPassword());
        assertFalse(added.getConfig().getYuv().getEnabled());
        assertEquals(5.0, added.getConfig().getRgb().getFps());
        assertEquals(10.0, added.getConfig().getReconnectSeconds(), "unset fields take the YAML defaults");

        StatusRuntimeException duplicate = assertThrows(StatusRuntimeException.class, () -> api().addStream(config));
        assertCode(Status.Code.ALREADY_EXISTS, "name", duplicate);

        awaitStatus(second, s -> s.getState() == StreamState.STREAM_STATE_ONLINE);
        List<ChannelDescriptor> channels = awaitChannels(second, 2);
        assertEquals(List.of(second + ".h264", second + ".rgb"), channels.stream().map(ChannelDescriptor::getName).toList());
        assertEquals(96, channels.get(1).getWidth());
        assertEquals(2, api().listStreams(ListStreamsRequest.getDefaultInstance()).getStreamsCount());

        api().removeStream(RemoveStreamRequest.newBuilder().setName(second).build());
        assertCode(Status.Code.NOT_FOUND, "name", assertThrows(StatusRuntimeException.class,
                () -> api().getStream(GetStreamRequest.newBuilder().setName(second).build())));
        assertEquals(1, api().listStreams(ListStreamsRequest.getDefaultInstance()).getStreamsCount());
        assertCode(Status.Code.NOT_FOUND, "name", assertThrows(StatusRuntimeException.class,
                () -> api().removeStream(RemoveStreamRequest.newBuilder().setName(second).build())));
    }

    @Test
    void aCameraThatCannotConnectIsOfflineWithTheReason() throws Exception {
        String name = CAMERA + "-dead";
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        api().addStream(StreamConfig.newBuilder().setName(name).setUrl("rtsp://127.0.0.1:" + closedPort + "/x").build());
        try {
            StreamStatus status = awaitStatus(name, s -> s.getState() == StreamState.STREAM_STATE_OFFLINE);
            assertTrue(status.getLastError().contains("cannot connect"), status.getLastError());
            assertEquals(Transport.TRANSPORT_UNSPECIFIED, status.getActiveTransport());
            assertEquals(0, status.getStats().getUptimeSeconds());
            assertEquals(List.of(), api().getChannels(GetChannelsRequest.newBuilder().setCamera(name).build())
                    .getChannelsList());
        } finally {
            api().removeStream(RemoveStreamRequest.newBuilder().setName(name).build());
        }
    }

    @Test
    void badRequestsGetStatusCodesThatNameTheField() {
        String url = rtsp.url("/cam");
        assertInvalid("name", () -> api().addStream(StreamConfig.newBuilder().setName("bad/name").setUrl(url).build()));
        assertInvalid("name", () -> api().addStream(StreamConfig.newBuilder().setUrl(url).build()));
        assertInvalid("url", () -> api().addStream(StreamConfig.newBuilder().setName("x").setUrl("rtsp://host:99999/").build()));
        assertInvalid("url", () -> api().addStream(StreamConfig.newBuilder().setName("x").build()));
        assertInvalid("url", () -> api().addStream(StreamConfig.newBuilder().setName("x")
                .setUrl("rtsp://host/" + "a".repeat(10_000)).build()));
        assertInvalid("rgb.width", () -> api().addStream(StreamConfig.newBuilder().setName("x").setUrl(url)
                .setRgb(RgbChannelConfig.newBuilder().setWidth(15)).build()));
        assertInvalid("rgb", () -> api().addStream(StreamConfig.newBuilder().setName("x").setUrl(url)
                .setRgb(RgbChannelConfig.newBuilder().setWidth(161).setHeight(120)).build()));
        assertInvalid("reconnectSeconds", () -> api().addStream(StreamConfig.newBuilder().setName("x").setUrl(url)
                .setReconnectSeconds(-1).build()));
        assertInvalid("transport", () -> api().addStream(StreamConfig.newBuilder().setName("x").setUrl(url)
                .setTransportValue(42).build()));
        assertInvalid("name", () -> api().getStream(GetStreamRequest.getDefaultInstance()));

        assertCode(Status.Code.NOT_FOUND, "name", assertThrows(StatusRuntimeException.class,
                () -> api().getStream(GetStreamRequest.newBuilder().setName("nosuchcamera").build())));
        assertCode(Status.Code.NOT_FOUND, "name", assertThrows(StatusRuntimeException.class,
                () -> api().stopStream(StopStreamRequest.newBuilder().setName("nosuchcamera").build())));
        assertCode(Status.Code.NOT_FOUND, "name", assertThrows(StatusRuntimeException.class,
                () -> api().startStream(StartStreamRequest.newBuilder().setName("nosuchcamera").build())));
        assertCode(Status.Code.NOT_FOUND, "camera", assertThrows(StatusRuntimeException.class,
                () -> api().getChannels(GetChannelsRequest.newBuilder().setCamera("nosuchcamera").build())));

        // Rings that /dev/shm cannot hold (4096 cells of 256 MiB): refused before any channel exists.
        StatusRuntimeException noRoom = assertThrows(StatusRuntimeException.class, () -> api().addStream(
                StreamConfig.newBuilder().setName("x").setUrl(url).setEncoded(
                        io.virta.protos.control.v1.EncodedChannelConfig.newBuilder().setCells(4096).setCapacityBytes(256 << 20)).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, noRoom.getStatus().getCode(), noRoom.toString());
        assertTrue(noRoom.getStatus().getDescription().contains("x.h264")
                && noRoom.getStatus().getDescription().contains("short"), noRoom.toString());

        // Larger than the server accepts: refused before it is parsed, and the server carries on.
        StatusRuntimeException huge = assertThrows(StatusRuntimeException.class, () -> api().addStream(
                StreamConfig.newBuilder().setName("x").setUrl("rtsp://host/" + "a".repeat(2 * 1024 * 1024)).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, huge.getStatus().getCode(), huge.toString());
        assertNotNull(api().getStream(GetStreamRequest.newBuilder().setName(CAMERA).build()));
        // Nothing half-added along the way.
        assertFalse(api().listStreams(ListStreamsRequest.getDefaultInstance()).getStreamsList().stream()
                .anyMatch(s -> s.getName().equals("x")));
    }

    @Test
    void addStreamTakesCameraUrlsOnlyAndTellsNothingAboutFiles() {
        String pid = Long.toString(ProcessHandle.current().pid());
        Map<String, String> messages = new java.util.LinkedHashMap<>();
        for (String url : List.of("file:///etc/passwd", "file:///etc/no-such-file-" + pid, "/etc/shadow",
                "/etc/no-such-file-" + pid, "FILE:///etc/hostname", "http://127.0.0.1:1/live.ts",
                "https://127.0.0.1:1/live.m3u8", "bogus://cam/1", "rtps://cam/1", "/dev/video0", "cam.sdp",
                "concat:/etc/passwd|/etc/hostname", "tcp://127.0.0.1:1", " file:///etc/passwd")) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> api().addStream(
                    StreamConfig.newBuilder().setName("probe").setUrl(url).build()), url);
            assertCode(Status.Code.INVALID_ARGUMENT, "url", e);
            String message = e.getStatus().getDescription();
            assertTrue(message.startsWith("AddStream: url: only rtsp:// camera URLs"), message);
            assertTrue(message.contains("YAML"), "says where such sources go: " + message);
            assertFalse(message.contains("/etc") || message.contains("exist") || message.contains("127.0.0.1"),
                    "quotes nothing of the URL: " + message);
            messages.put(url, message);
        }
        assertEquals(messages.get("file:///etc/passwd"), messages.get("file:///etc/no-such-file-" + pid),
                "the same answer whether the file exists or not");
        assertEquals(messages.get("/etc/shadow"), messages.get("/etc/no-such-file-" + pid));
        assertTrue(messages.get("rtps://cam/1").contains("did you mean rtsp://"), messages.get("rtps://cam/1"));
        assertFalse(api().listStreams(ListStreamsRequest.getDefaultInstance()).getStreamsList().stream()
                .anyMatch(s -> s.getName().equals("probe")), "nothing was added");
    }

    @Test
    void rtpOutOverTheApiWritesNoChosenFileAndSendsOnlyWhereTheYamlAllows() throws Exception {
        String url = rtsp.url("/cam");
        Path planted = sdpDirectory.resolve("planted-" + ProcessHandle.current().pid() + ".sdp");
        assertCode(Status.Code.INVALID_ARGUMENT, "rtpOut.sdp", assertThrows(StatusRuntimeException.class,
                () -> api().addStream(StreamConfig.newBuilder().setName("rtp-x").setUrl(url)
                        .setRtpOut(RtpOutConfig.newBuilder().setDestination("127.0.0.1:5004")
                                .setSdp(planted.toString())).build())));
        StatusRuntimeException outside = assertThrows(StatusRuntimeException.class, () -> api().addStream(
                StreamConfig.newBuilder().setName("rtp-x").setUrl(url)
                        .setRtpOut(RtpOutConfig.newBuilder().setDestination("10.9.8.6:5004")).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "rtpOut.destination", outside);
        assertTrue(outside.getStatus().getDescription().contains("rtpOut.controlApiDestinations: [127.0.0.0/8]"),
                outside.getStatus().getDescription());
        assertCode(Status.Code.INVALID_ARGUMENT, "rtpOut.destination", assertThrows(StatusRuntimeException.class,
                () -> api().addStream(StreamConfig.newBuilder().setName("rtp-x").setUrl(url)
                        .setRtpOut(RtpOutConfig.newBuilder().setDestination("localhost:5004")).build())));
        assertFalse(Files.exists(planted));

        // Inside the range: accepted, and the SDP file is <sdpDirectory>/<name>.sdp, owner-only.
        String name = CAMERA + "-rtp";
        int port;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort() & ~1;
        }
        StreamStatus added = api().addStream(StreamConfig.newBuilder().setName(name).setUrl(url)
                .setYuv(YuvChannelConfig.newBuilder().setEnabled(false))
                .setRtpOut(RtpOutConfig.newBuilder().setDestination("127.0.0.1:" + port)).build());
        try {
            Path sdp = sdpDirectory.resolve(name + ".sdp");
            assertEquals(sdp.toString(), added.getConfig().getRtpOut().getSdp());
            awaitStatus(name, s -> s.getRtpOut().getSdpWritten());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sdp)));
            assertTrue(Files.readString(sdp).contains("m=video " + port + " RTP/AVP 96"), Files.readString(sdp));
        } finally {
            api().removeStream(RemoveStreamRequest.newBuilder().setName(name).build());
        }
    }

    private static void assertInvalid(String field, Executable call) {
        assertCode(Status.Code.INVALID_ARGUMENT, field, assertThrows(StatusRuntimeException.class, call));
    }

    private static void assertCode(Status.Code code, String field, StatusRuntimeException e) {
        assertEquals(code, e.getStatus().getCode(), e.toString());
        String message = e.getStatus().getDescription();
        assertNotNull(message, e.toString());
        assertTrue(message.contains(": " + field), "the message names '" + field + "': " + message);
        assertTrue(message.length() < 1200, message);
    }

    private static StreamStatus awaitStatus(String name, Predicate<StreamStatus> condition) {
        long deadline = System.nanoTime() + ONLINE_WITHIN.toNanos();
        StreamStatus status;
        do {
            status = api().getStream(GetStreamRequest.newBuilder().setName(name).build());
            if (condition.test(status)) {
                return status;
            }
            sleep(100);
        } while (System.nanoTime() < deadline);
        return fail("camera " + name + " did not reach the expected state within " + ONLINE_WITHIN + ": " + status
                + "\nRTSP server log:\n" + rtsp.log());
    }

    private static List<ChannelDescriptor> awaitChannels(String camera, int count) {
        long deadline = System.nanoTime() + ONLINE_WITHIN.toNanos();
        List<ChannelDescriptor> channels;
        do {
            channels = api().getChannels(GetChannelsRequest.newBuilder().setCamera(camera).build()).getChannelsList();
            if (channels.size() == count) {
                return channels;
            }
            sleep(100);
        } while (System.nanoTime() < deadline);
        return fail("camera " + camera + ": expected " + count + " channels, got " + channels);
    }

    private static boolean pullUntil(ChannelReader reader, Predicate<PullStatus> wanted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (wanted.test(reader.pull(Duration.ofMillis(500)))) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
