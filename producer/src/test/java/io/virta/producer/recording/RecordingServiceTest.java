package io.virta.producer.recording;

import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.virta.grpc.ClientSecurity;
import io.virta.grpc.GrpcChannels;
import io.virta.grpc.GrpcTarget;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.config.RecordingConfig;
import io.virta.producer.control.ControlServer;
import io.virta.producer.daemon.Producer;
import io.virta.producer.source.StreamEvents;
import io.virta.protos.recording.v1.ExportChunk;
import io.virta.protos.recording.v1.ExportFormat;
import io.virta.protos.recording.v1.ExportRequest;
import io.virta.protos.recording.v1.ListCamerasRequest;
import io.virta.protos.recording.v1.ListCamerasResponse;
import io.virta.protos.recording.v1.ListProtectionsRequest;
import io.virta.protos.recording.v1.ListSpansRequest;
import io.virta.protos.recording.v1.ListSpansResponse;
import io.virta.protos.recording.v1.ProtectRequest;
import io.virta.protos.recording.v1.ProtectResponse;
import io.virta.protos.recording.v1.ProtectedRange;
import io.virta.protos.recording.v1.RecordedCamera;
import io.virta.protos.recording.v1.RecordingGrpc;
import io.virta.protos.recording.v1.UnprotectRequest;
import io.virta.recorder.retention.ProtectedRanges;
import io.virta.recorder.store.SegmentPolicy;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recording API over a real gRPC channel to a producer that records a gst-rtsp-server camera
 * (720p, about 1 Mbit/s) into a temporary store, behind a control token: what the store holds, an
 * export that ffprobe reads and whose SHA-256 matches, a client that stops reading holding the
 * server to its flow-control window, protected ranges on the disk, and the refusals.
 */
@Timeout(120)
class RecordingServiceTest {
    private static final String CAMERA = "recg" + ProcessHandle.current().pid();
    /** Small chunks, so that a few of them fill a small window: what flow control is tested with. */
    private static final int CHUNK = 8 * 1024;
    private static final int CLIENT_WINDOW = 16 * 1024;
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static GstRtspServer rtsp;
    private static Producer producer;
    private static ControlServer control;
    private static RecordingService service;
    private static ManagedChannel channel;
    private static String token;
    private static Path store;
    private static RecordingGrpc.RecordingBlockingStub api;

    @BeforeAll
    static void startRecording() throws Exception {
        rtsp = GstRtspServer.builder().mount("/cam", TestClips.h264Baseline720p()).start();
        token = HexFormat.of().formatHex(SecureRandom.getInstanceStrong().generateSeed(16));
        store = dir.resolve("store");
        ProducerConfig config = ProducerConfig.parse(RecordedCameraYaml.of(store, CAMERA, rtsp.url("/cam"),
                "control: { listen: \"127.0.0.1:0\", token: \"" + token + "\" }\n", 4), "test");
        producer = new Producer(config, StreamEvents.NONE);
        // One export at a time: the stalled one shows the limit.
        service = new RecordingService(producer.recording(), camera -> Optional.of(store), CHUNK, 1);
        control = ControlServer.start(config.control(), producer, service);
        producer.start();
        channel = GrpcChannels.open(GrpcTarget.parse(control.target(), "test").with(ClientSecurity.token(token)));
        api = RecordingGrpc.newBlockingStub(channel);
        // Four seconds of 720p: an export of several hundred KiB, many times the client's window.
        await(() -> producer.status(CAMERA).recording().framesWritten() >= 4 * TestClips.FPS, "4 s recorded");
        await(() -> camera().getLastMicros() - camera().getFirstMicros() >= 3_000_000, "3 s in the index");
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
    }

    private static RecordingGrpc.RecordingBlockingStub api() {
        return api.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static RecordedCamera camera() {
        ListCamerasResponse all = api().listCameras(ListCamerasRequest.getDefaultInstance());
        assertEquals(1, all.getStoresCount(), all.toString());
        assertEquals(store.toString(), all.getStores(0).getStore());
        return all.getStores(0).getCamerasList().stream().filter(c -> c.getCamera().equals(CAMERA)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + CAMERA + " in " + all));
    }

    @Test
    void camerasAndSpansShowTheRecordedVideo() {
        RecordedCamera camera = camera();
        assertTrue(camera.getSegments() >= 1 && camera.getBytes() > 100_000, camera.toString());
        assertEquals("H264", camera.getCodec());

        ListSpansResponse spans = api().listSpans(ListSpansRequest.newBuilder().setCamera(CAMERA).build());
        assertEquals(store.toString(), spans.getStore());
        assertEquals(camera.getFirstMicros(), spans.getFromMicros(), "from defaults to the first frame");
        assertFalse(spans.getSpansList().isEmpty(), spans.toString());
        assertEquals(camera.getFirstMicros(), spans.getSpans(0).getStartMicros());
        assertTrue(spans.getSpans(0).getEndMicros() >= camera.getFirstMicros() + 3_000_000, spans.toString());

        long before = camera.getFirstMicros() - 60_000_000;
        ListSpansResponse earlier = api().listSpans(ListSpansRequest.newBuilder().setCamera(CAMERA)
                .setFromMicros(before).setToMicros(camera.getFirstMicros() - 1).build());
        assertEquals(0, earlier.getSpansCount());
        assertEquals(1, earlier.getGapsCount(), "the whole range is a gap: " + earlier);
    }

    @Test
    void anExportStreamsAnMp4ThatFfprobeReadsWithItsChecksum() throws Exception {
        RecordedCamera camera = camera();
        Iterator<ExportChunk> chunks = api().export(ExportRequest.newBuilder().setCamera(CAMERA)
                .setFromMicros(camera.getFirstMicros()).setToMicros(camera.getLastMicros()).build());
        ExportChunk first = chunks.next();
        assertTrue(first.hasMetadata(), "the metadata comes first: " + first.getPartCase());
        var metadata = first.getMetadata();
        assertEquals("video/mp4", metadata.getContentType());
        assertEquals(ExportFormat.EXPORT_FORMAT_MP4, metadata.getFormat());
        assertTrue(metadata.getFileName().startsWith(CAMERA + "-") && metadata.getFileName().endsWith(".mp4"),
                metadata.getFileName());
        assertTrue(metadata.getFrames() >= 3 * TestClips.FPS, metadata.toString());
        assertEquals(camera.getFirstMicros(), metadata.getFirstCaptureMicros());

        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        Path file = dir.resolve(metadata.getFileName());
        String end;
        try (var out = Files.newOutputStream(file)) {
            while (true) {
                ExportChunk chunk = chunks.next();
                if (chunk.hasEnd()) {
                    assertEquals(metadata.getLength(), chunk.getEnd().getLength());
                    end = chunk.getEnd().getSha256();
                    break;
                }
                assertTrue(chunk.hasData(), chunk.getPartCase().toString());
                assertTrue(chunk.getData().size() <= CHUNK, "chunks of at most the service's size");
                chunk.getData().writeTo(out);
                sha256.update(chunk.getData().asReadOnlyByteBuffer());
            }
        }
        assertFalse(chunks.hasNext(), "the end is the last message");
        assertEquals(metadata.getLength(), Files.size(file));
        assertEquals(HexFormat.of().formatHex(sha256.digest()), end);

        Process probe = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", file.toString())
                .redirectErrorStream(true).start();
        String probed = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, probe.waitFor(), probed);
        String[] fields = probed.split(",");
        assertEquals("h264", fields[0], probed);
        assertTrue(Integer.parseInt(fields[1]) >= metadata.getFrames(), "ffprobe decodes every frame: " + probed);
    }

    @Test
    void aClientThatStopsReadingHoldsTheServerToItsFlowControlWindow() throws Exception {
        RecordedCamera camera = camera();
        Metadata headers = new Metadata();
        headers.put(GrpcChannels.AUTHORIZATION, GrpcChannels.BEARER + token);
        ManagedChannel slow = NettyChannelBuilder.forTarget(control.target()).usePlaintext()
                .flowControlWindow(CLIENT_WINDOW).build();
        try {
            var stub = RecordingGrpc.newStub(ClientInterceptors.intercept(slow,
                    MetadataUtils.newAttachHeadersInterceptor(headers)));
            SlowReader reader = new SlowReader();
            stub.export(ExportRequest.newBuilder().setCamera(CAMERA).setFromMicros(camera.getFirstMicros())
                    .setToMicros(camera.getLastMicros()).setFormat(ExportFormat.EXPORT_FORMAT_MKV).build(), reader);
            // The client took the metadata only: the server fills the client's window and its own small
            // queue, then waits.
            await(() -> service.exports().stream().anyMatch(ExportStream.Progress::waitingForClient),
                    "the export to wait for the client");
            ExportStream.Progress held = service.exports().getFirst();
            assertTrue(held.length() > 3 * (CLIENT_WINDOW + 64 * 1024), "a file much larger than the bound: " + held);
            assertTrue(held.sentBytes() <= CLIENT_WINDOW + 64 * 1024 + 2 * CHUNK,
                    "the server read no more than the window and its queue ahead of the client: " + held);
            assertRefused(Status.Code.RESOURCE_EXHAUSTED, "try again when one is done", () -> api().export(
                    ExportRequest.newBuilder().setCamera(CAMERA).setFromMicros(camera.getFirstMicros())
                            .setToMicros(camera.getLastMicros()).build()).next());

            reader.readTheRest();
            byte[] file = reader.done.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
            assertEquals(held.length(), file.length);
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file)), reader.sha256.get());
            await(() -> service.exports().isEmpty(), "the finished export to be forgotten");
        } finally {
            slow.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Takes one message, then nothing until told; then one message at a time as each arrives. */
    private static final class SlowReader implements ClientResponseObserver<ExportRequest, ExportChunk> {
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        final AtomicReference<String> sha256 = new AtomicReference<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private volatile ClientCallStreamObserver<ExportRequest> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<ExportRequest> call) {
            this.call = call;
            call.disableAutoRequestWithInitial(1);
        }

        void readTheRest() {
            call.request(1);
        }

        @Override
        public void onNext(ExportChunk chunk) {
            if (chunk.hasData()) {
                bytes.writeBytes(chunk.getData().toByteArray());
                call.request(1);
            } else if (chunk.hasEnd()) {
                sha256.set(chunk.getEnd().getSha256());
                call.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            done.complete(bytes.toByteArray());
        }
    }

    @Test
    void protectedRangesGoToTheStoreAndComeOffAgain() throws Exception {
        RecordedCamera camera = camera();
        String reason = "case-" + ProcessHandle.current().pid() + "-asked-by-the-test"; // no spaces: the file escapes them
        ProtectResponse added = api().protect(ProtectRequest.newBuilder().setCamera(CAMERA)
                .setFromMicros(camera.getFirstMicros()).setToMicros(camera.getFirstMicros() + 1_000_000)
                .setReason(reason).build());
        assertEquals(1, added.getRangesCount(), added.toString());
        ProtectedRange range = added.getRanges(0);
        assertTrue(range.getId() > 0 && range.getCreatedMicros() > 0, range.toString());
        assertEquals(store.toString(), range.getStore());
        assertEquals(CAMERA, range.getCamera());
        Path onDisk = store.resolve(ProtectedRanges.FILE);
        assertTrue(Files.readString(onDisk).contains(reason), "on the disk when Protect returns");
        assertTrue(api().listProtections(ListProtectionsRequest.getDefaultInstance()).getRangesList().contains(range));

        ProtectedRange everyCamera = api().protect(ProtectRequest.newBuilder().setFromMicros(camera.getFirstMicros())
                .setToMicros(camera.getLastMicros()).setReason("all of them").build()).getRanges(0);
        assertEquals("", everyCamera.getCamera());

        assertEquals(range, api().unprotect(UnprotectRequest.newBuilder().setId(range.getId()).build()).getRemoved());
        api().unprotect(UnprotectRequest.newBuilder().setId(everyCamera.getId()).build());
        assertEquals(0, api().listProtections(ListProtectionsRequest.getDefaultInstance()).getRangesCount());
        assertFalse(Files.readString(onDisk).contains(reason), "lifted on the disk too");

        assertRefused(Status.Code.NOT_FOUND, "no protected range " + range.getId(),
                () -> api().unprotect(UnprotectRequest.newBuilder().setId(range.getId()).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "reason is required", () -> api().protect(ProtectRequest
                .newBuilder().setCamera(CAMERA).setFromMicros(1).setToMicros(2).setReason(" ").build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "is before from_micros", () -> api().protect(ProtectRequest
                .newBuilder().setCamera(CAMERA).setFromMicros(2).setToMicros(1).setReason("r").build()));
    }

    @Test
    void refusalsNameTheCameraAndTheProblem() {
        RecordedCamera camera = camera();
        assertRefused(Status.Code.NOT_FOUND, "camera nosuch", () -> api().listSpans(
                ListSpansRequest.newBuilder().setCamera("nosuch").build()));
        assertRefused(Status.Code.NOT_FOUND, "nosuch", () -> api().export(ExportRequest.newBuilder()
                .setCamera("nosuch").setFromMicros(1).setToMicros(2).build()).next());
        long hourBefore = camera.getFirstMicros() - 3_600_000_000L;
        assertRefused(Status.Code.NOT_FOUND, CAMERA, () -> api().export(ExportRequest.newBuilder().setCamera(CAMERA)
                .setFromMicros(hourBefore).setToMicros(hourBefore + 1_000_000).build()).next());
        assertRefused(Status.Code.INVALID_ARGUMENT, "24 h", () -> api().export(ExportRequest.newBuilder()
                .setCamera(CAMERA).setFromMicros(hourBefore - 90_000_000_000L).setToMicros(hourBefore).build()).next());
        assertRefused(Status.Code.INVALID_ARGUMENT, "from_micros and to_micros are required", () -> api().export(
                ExportRequest.newBuilder().setCamera(CAMERA).build()).next());
        assertRefused(Status.Code.INVALID_ARGUMENT, "camera", () -> api().listSpans(
                ListSpansRequest.newBuilder().setCamera("../etc").build()));
        assertRefused(Status.Code.NOT_FOUND, "not one of this producer's stores", () -> api().listCameras(
                ListCamerasRequest.newBuilder().setStore("/elsewhere").build()));
    }

    @Test
    void withoutTheControlTokenEveryCallIsRefused() {
        ManagedChannel anonymous = GrpcChannels.open(GrpcTarget.parse(control.target(), "test").with(ClientSecurity.NONE));
        try {
            var stub = RecordingGrpc.newBlockingStub(anonymous).withDeadlineAfter(20, TimeUnit.SECONDS);
            assertRefused(Status.Code.UNAUTHENTICATED, "token",
                    () -> stub.listCameras(ListCamerasRequest.getDefaultInstance()));
            assertRefused(Status.Code.UNAUTHENTICATED, "token", () -> stub.export(ExportRequest.newBuilder()
                    .setCamera(CAMERA).setFromMicros(1).setToMicros(2).build()).next());
            assertRefused(Status.Code.UNAUTHENTICATED, "token", () -> stub.protect(ProtectRequest.newBuilder()
                    .setFromMicros(1).setToMicros(2).setReason("r").build()));
        } finally {
            anonymous.shutdownNow();
        }
        assertEquals(0, api().listProtections(ListProtectionsRequest.getDefaultInstance()).getRangesCount(),
                "the refused Protect changed nothing");
    }

    @Test
    void withoutRecordingOrWithItsStoreGoneCallsSayWhy(@TempDir Path other) throws Exception {
        try (RecordingStores off = RecordingStores.open(RecordingConfig.OFF)) {
            RecordingService api = new RecordingService(off, c -> Optional.empty(), CHUNK, 1);
            Recorded<ListCamerasResponse> answer = new Recorded<>();
            api.listCameras(ListCamerasRequest.getDefaultInstance(), answer);
            assertEquals(Status.Code.FAILED_PRECONDITION, answer.status().getCode());
            assertTrue(answer.status().getDescription().contains("recording is off"), answer.status().toString());
        }
        Path gone = other.resolve("gone");
        try (RecordingStores stores = RecordingStores.open(new RecordingConfig(List.of(gone), SegmentPolicy.DEFAULT))) {
            try (var files = Files.walk(gone)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
            RecordingService api = new RecordingService(stores, c -> Optional.empty(), CHUNK, 1);
            Recorded<ListCamerasResponse> answer = new Recorded<>();
            api.listCameras(ListCamerasRequest.getDefaultInstance(), answer);
            assertEquals(Status.Code.UNAVAILABLE, answer.status().getCode());
            assertTrue(answer.status().getDescription().contains(gone.toString()), answer.status().toString());
        }
    }

    /** What a call answered in-process. */
    private static final class Recorded<T> implements StreamObserver<T> {
        private final CompletableFuture<T> answer = new CompletableFuture<>();

        @Override
        public void onNext(T value) {
            answer.complete(value);
        }

        @Override
        public void onError(Throwable t) {
            answer.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
        }

        Status status() {
            try {
                answer.join();
                throw new AssertionError("the call succeeded: " + answer.join());
            } catch (java.util.concurrent.CompletionException e) {
                return Status.fromThrowable(e.getCause());
            }
        }
    }

    private static void assertRefused(Status.Code code, String mentions, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getMessage().contains(mentions), "the message mentions " + mentions + ": " + e.getMessage());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WITHIN.toSeconds() + " s for " + what);
            }
            Thread.sleep(50);
        }
    }
}
