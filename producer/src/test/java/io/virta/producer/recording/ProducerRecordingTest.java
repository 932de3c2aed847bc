package io.virta.producer.recording;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.control.ControlServer;
import io.virta.producer.daemon.Producer;
import io.virta.producer.source.StreamEvents;
import io.virta.producer.status.CameraStatus;
import io.virta.protos.control.v1.GetStreamRequest;
import io.virta.protos.control.v1.ProducerControlGrpc;
import io.virta.protos.control.v1.RecordConfig;
import io.virta.protos.control.v1.RecordingState;
import io.virta.protos.control.v1.RecordingStats;
import io.virta.protos.control.v1.RemoveStreamRequest;
import io.virta.protos.control.v1.StreamConfig;
import io.virta.protos.control.v1.Transport;
import io.virta.recorder.format.StoreLayout;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentEnd;
import io.virta.recorder.store.SegmentPolicy;
import io.virta.recorder.store.SegmentReader;
import io.virta.testkit.GstRtspServer;
import io.virta.recorder.export.ExportFormat;
import io.virta.recorder.export.ExportRequest;
import io.virta.recorder.export.Exporter;
import io.virta.recorder.index.KeyframePosition;
import io.virta.recorder.store.StoreView;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A producer records gst-rtsp-server cameras into a store (docs/recording.md): one from its YAML
 * file, one added over the control API with {@code record} set. Frames are read back from the
 * segment files with bus sequence numbers one after the other, status counters move, and removing a
 * camera or stopping the producer seals its segment, so that the store needs no recovery.
 */
@Timeout(120)
class ProducerRecordingTest {
    private static final String FILE_CAMERA = "recf" + ProcessHandle.current().pid();
    private static final String ADDED_CAMERA = "reca" + ProcessHandle.current().pid();
    private static final Duration WITHIN = Duration.ofSeconds(30);

    /** One camera for every test: each producer opens its own sessions on it. */
    private static GstRtspServer rtsp;

    @BeforeAll
    static void startCamera() throws Exception {
        rtsp = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start();
    }

    @AfterAll
    static void stopCamera() {
        if (rtsp != null) {
            rtsp.close();
        }
    }

    @Test
    void camerasOfTheFileAndOfAddStreamAreRecordedAndSealedOnStop(@TempDir Path store) throws Exception {
        ProducerConfig config = ProducerConfig.parse(RecordedCameraYaml.of(store, FILE_CAMERA, rtsp.url("/cam"),
                "control: { listen: \"127.0.0.1:0\" }\nwebView: { listen: \"127.0.0.1:0\" }\n", 4), "test");
        assertEquals(120, config.cameras().getFirst().encoded().cells(), "4 s at 30 fps");
        Producer producer = new Producer(config, StreamEvents.NONE);
        ControlServer control = ControlServer.start(config.controlListen(), producer);
        ManagedChannel channel = Grpc.newChannelBuilder(control.target(), InsecureChannelCredentials.create()).build();
        try {
            producer.start();
            CameraStatus.Recording recorded = await(() -> producer.status(FILE_CAMERA).recording(),
                    r -> r.framesWritten() >= TestClips.FPS && r.lastSyncMicros() > 0
                            && r.usage().sampledAtMicros() > 0, "a second recorded and synced");
            assertEquals(CameraStatus.RecordingState.RECORDING, recorded.state());
            assertEquals(store, recorded.store());
            assertTrue(recorded.bytesWritten() > 0 && recorded.usage().freeBytes() > 0
                    && recorded.usage().storeBytes() > 0, recorded.toString());
            assertEquals(0, recorded.framesLost(), recorded.toString());
            String cameras = get(producer.webView().url() + "api/cameras");
            assertTrue(cameras.contains("\"recording\":{\"state\":\"recording\",\"store\":\"" + store + "\","
                    + "\"framesWritten\":"), cameras);

            var api = ProducerControlGrpc.newBlockingStub(channel);
            api.withDeadlineAfter(20, TimeUnit.SECONDS).addStream(StreamConfig.newBuilder().setName(ADDED_CAMERA)
                    .setUrl(rtsp.url("/cam")).setTransport(Transport.TRANSPORT_TCP).setDecode(false)
                    .setRecord(RecordConfig.newBuilder().setEnabled(true).setBufferSeconds(2)).build());
            RecordingStats added = await(() -> api.withDeadlineAfter(20, TimeUnit.SECONDS)
                            .getStream(GetStreamRequest.newBuilder().setName(ADDED_CAMERA).build()).getRecording(),
                    r -> r.getFramesWritten() >= TestClips.FPS, "the added camera to record a second");
            assertEquals(RecordingState.RECORDING_STATE_RECORDING, added.getState());
            assertEquals(store.toString(), added.getStoreDirectory());
            api.withDeadlineAfter(20, TimeUnit.SECONDS).removeStream(
                    RemoveStreamRequest.newBuilder().setName(ADDED_CAMERA).build());
            // RemoveStream returns once the camera's recorder has sealed its segment: no wait needed.
            List<Stored> removed = readCamera(store, ADDED_CAMERA, segmentFiles(store, ADDED_CAMERA));
            assertTrue(removed.size() >= added.getFramesWritten(), removed.size() + " frames");
            assertConsecutive(removed);
            assertEquals(SegmentEnd.SEALED, removed.getLast().end(), "RemoveStream sealed the last segment");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            control.close();
            long before = producer.status(FILE_CAMERA).recording().framesWritten();
            producer.close();
            List<Stored> frames = readCamera(store, FILE_CAMERA, segmentFiles(store, FILE_CAMERA));
            assertTrue(frames.size() >= before, frames.size() + " frames stored, " + before + " reported");
            assertTrue(frames.getFirst().keyframe(), "recording starts at a keyframe");
            assertConsecutive(frames);
            assertEquals(SegmentEnd.SEALED, frames.getLast().end(), "a clean stop seals the last segment");
        }
        try (RecordingStore reopened = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
            assertTrue(reopened.recovery().clean(), reopened.recovery().toString());
            List<SegmentRow> rows = reopened.index().segments(FILE_CAMERA, Long.MIN_VALUE, Long.MAX_VALUE);
            assertTrue(!rows.isEmpty() && rows.stream().allMatch(r -> r.state() == SegmentState.SEALED), rows.toString());
        }
        exportedPicturesAreTheServedClips(store);
    }

    /**
     * The pictures of an export of what was recorded are the clip gst-rtsp-server served, decoded alike:
     * their framemd5 sequence is a run of the looped clip's (the export starts at a keyframe, where the
     * clip's GOPs start too).
     */
    private static void exportedPicturesAreTheServedClips(Path store) throws Exception {
        Path mp4 = store.resolveSibling(store.getFileName() + "-export.mp4");
        try (StoreView view = StoreView.open(store)) {
            KeyframePosition first = view.index().keyframeAtOrBefore(FILE_CAMERA, Long.MAX_VALUE).orElseThrow();
            long from = view.index().segments(FILE_CAMERA, Long.MIN_VALUE, Long.MAX_VALUE).getFirst().startMicros();
            Exporter.export(view, new ExportRequest(FILE_CAMERA, from, from + 1_200_000, ExportFormat.MP4), mp4);
            assertTrue(first.captureMicros() >= from);
        }
        List<String> exported = frameMd5s(mp4);
        List<String> clip = frameMd5s(TestClips.h264Small());
        List<String> looped = new java.util.ArrayList<>(clip);
        looped.addAll(clip);
        assertTrue(exported.size() >= TestClips.FPS, exported.size() + " pictures exported");
        assertTrue(java.util.Collections.indexOfSubList(looped, exported) >= 0,
                "the exported pictures are not a run of the served clip's: " + exported);
        Files.deleteIfExists(mp4);
        try (var made = Files.list(mp4.getParent())) {
            for (Path manifest : made.filter(p -> p.getFileName().toString().startsWith(mp4.getFileName() + ".")).toList()) {
                Files.delete(manifest);
            }
        }
    }

    /** The MD5 of each decoded picture, as ffmpeg's framemd5 muxer prints it. */
    private static List<String> frameMd5s(Path media) throws Exception {
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-v", "error", "-i", media.toString(), "-f", "framemd5", "-")
                .redirectErrorStream(true).start();
        String out = new String(ffmpeg.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(ffmpeg.waitFor(60, TimeUnit.SECONDS) && ffmpeg.exitValue() == 0, "ffmpeg on " + media + ": " + out);
        return out.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.substring(line.lastIndexOf(',') + 1).trim()).toList();
    }

    @Test
    void aStoreThatCannotBeOpenedStopsTheProducerNamingIt(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        String camera = "cameras:\n  - name: x" + ProcessHandle.current().pid() + "\n    url: rtsp://127.0.0.1:9/\n"
                + "    record: { enabled: true }\n";
        ProducerConfig unusable = ProducerConfig.parse("recording: { store: \"" + file.resolve("store") + "\" }\n"
                + camera, "test");
        String refused = assertThrows(IllegalStateException.class, () -> new Producer(unusable, StreamEvents.NONE))
                .getMessage();
        assertTrue(refused.startsWith("recording.store " + file.resolve("store") + ": cannot record there: "), refused);

        Path locked = dir.resolve("locked");
        ProducerConfig second = ProducerConfig.parse("recording: { stores: [\"" + dir.resolve("free") + "\", \""
                + locked + "\"] }\n" + camera, "test");
        try (RecordingStore holder = RecordingStore.open(locked, SegmentPolicy.DEFAULT)) {
            String busy = assertThrows(IllegalStateException.class, () -> new Producer(second, StreamEvents.NONE))
                    .getMessage();
            assertTrue(busy.startsWith("recording.stores[1] " + locked + ": cannot record there: "), busy);
            assertTrue(busy.contains("pid " + ProcessHandle.current().pid()) && busy.contains("another store"), busy);
        }
        // The first store, opened before the second failed, was closed again: it can be opened now.
        RecordingStore.open(dir.resolve("free"), SegmentPolicy.DEFAULT).close();
    }

    @Test
    void aStoreRemovedWhileRecordingPausesTheCameraAndItsStatusSaysWhy(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        String camera = "recp" + ProcessHandle.current().pid();
        ProducerConfig config = ProducerConfig.parse(RecordedCameraYaml.of(store, camera, rtsp.url("/cam"), "", 2),
                "test");
        try (Producer producer = new Producer(config, StreamEvents.NONE).start()) {
            await(() -> producer.status(camera).recording(), r -> r.framesWritten() > 0, "recording to start");
            try (Stream<Path> files = Files.walk(store)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
            CameraStatus.Recording paused = await(() -> producer.status(camera).recording(),
                    // The recorder publishes its state a moment before the problem: wait for both.
                    r -> r.state() == CameraStatus.RecordingState.PAUSED && !r.problem().isEmpty(),
                    "the camera to pause");
            assertTrue(paused.pauses() >= 1, paused.toString());
            assertTrue(paused.problem().contains(store.toString()), "the problem names the store: " + paused);
            assertEquals(CameraStatus.State.ONLINE, producer.status(camera).state(), "the camera itself goes on");
        }
    }

    /** One frame read back from a segment file, and how its segment ended after it. */
    private record Stored(long sequence, boolean keyframe, SegmentEnd end) {
    }

    private static List<Path> segmentFiles(Path store, String camera) throws IOException {
        try (Stream<Path> files = Files.list(StoreLayout.cameraDirectory(store, camera))) {
            return files.filter(f -> f.getFileName().toString().endsWith(StoreLayout.SEGMENT_SUFFIX)).sorted().toList();
        }
    }

    /** Every frame of the segments, in order; each segment's last frame carries how the segment ended. */
    private static List<Stored> readCamera(Path store, String camera, List<Path> segments) throws IOException {
        assertTrue(!segments.isEmpty(), "camera " + camera + " has segments in " + store);
        List<Stored> frames = new ArrayList<>();
        for (Path segment : segments) {
            try (SegmentReader reader = SegmentReader.open(segment, SegmentReader.Mode.STOP_AT_DAMAGE)) {
                List<Stored> own = new ArrayList<>();
                while (reader.next()) {
                    own.add(new Stored(reader.sequence(), reader.isKeyframe(), SegmentEnd.NONE));
                }
                assertTrue(!own.isEmpty(), segment + " has frames");
                Stored last = own.removeLast();
                own.add(new Stored(last.sequence(), last.keyframe(), reader.end()));
                frames.addAll(own);
            }
        }
        return frames;
    }

    private static void assertConsecutive(List<Stored> frames) {
        for (int i = 1; i < frames.size(); i++) {
            assertEquals(frames.get(i - 1).sequence() + 1, frames.get(i).sequence(), "frame " + i + " of " + frames.size());
        }
    }

    private static String get(String url) throws IOException, InterruptedException {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .timeout(Duration.ofSeconds(20)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), url + ": " + response.body());
            return response.body();
        }
    }

    private static <T> T await(Supplier<T> read, java.util.function.Predicate<T> done, String what)
            throws InterruptedException {
        long giveUp = System.nanoTime() + WITHIN.toNanos();
        T last = read.get();
        while (!done.test(last)) {
            if (System.nanoTime() - giveUp > 0) {
                throw new AssertionError("waited " + WITHIN + " for " + what + "; last: " + last);
            }
            Thread.sleep(50);
            last = read.get();
        }
        return last;
    }
}
