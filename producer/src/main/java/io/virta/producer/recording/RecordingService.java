package io.virta.producer.recording;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.virta.bus.ChannelName;
import io.virta.bus.InvalidChannelNameException;
import io.virta.protos.recording.v1.ExportChunk;
import io.virta.protos.recording.v1.ListCamerasRequest;
import io.virta.protos.recording.v1.ListCamerasResponse;
import io.virta.protos.recording.v1.ListProtectionsRequest;
import io.virta.protos.recording.v1.ListProtectionsResponse;
import io.virta.protos.recording.v1.ListSpansRequest;
import io.virta.protos.recording.v1.ListSpansResponse;
import io.virta.protos.recording.v1.ProtectRequest;
import io.virta.protos.recording.v1.ProtectResponse;
import io.virta.protos.recording.v1.RecordedCamera;
import io.virta.protos.recording.v1.RecordingGrpc;
import io.virta.protos.recording.v1.StoreCameras;
import io.virta.protos.recording.v1.TimeSpan;
import io.virta.protos.recording.v1.UnprotectRequest;
import io.virta.protos.recording.v1.UnprotectResponse;
import io.virta.recorder.export.ExportException;
import io.virta.recorder.export.ExportFile;
import io.virta.recorder.export.ExportFormat;
import io.virta.recorder.export.Exporter;
import io.virta.recorder.index.Coverage;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.Span;
import io.virta.recorder.retention.ProtectedRange;
import io.virta.recorder.retention.ProtectedRanges;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.StoreView;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * {@code virta.recording.v1.Recording} over the producer's {@link RecordingStores}
 * (protos/.../recording.proto; docs/recording.md, "gRPC"): lists the cameras and spans of its stores,
 * streams exports ({@link ExportStream}), and adds, lists and lifts protected ranges. The producer
 * serves it on its control address beside {@code ProducerControl}, so the control server's token, TLS
 * and Unix-socket rules apply to it as they do to every service there.
 *
 * <p><b>Threads:</b> calls run on the control server's executor, any number at once. Each call opens a
 * {@link StoreView} of the stores it reads (a read-only SQLite connection to the index, a few
 * milliseconds) and closes it when done, an export when its stream ends, so a store whose disk goes
 * away costs no stale handle here: the next call answers UNAVAILABLE. <b>Memory:</b> an export holds
 * its frame table (about 40 bytes a frame) and at most one chunk; gRPC's flow control decides when the
 * next chunk is read. <b>Hostile input:</b> camera names are validated as bus names before they reach
 * the index; status messages are capped at {@value #MAX_MESSAGE_CHARS} characters.
 *
 * <pre>{@code
 * ControlServer.start(config.control(), producer, new RecordingService(producer.recording(), camera -> ...));
 * }</pre>
 */
public final class RecordingService extends RecordingGrpc.RecordingImplBase {
    private static final Logger LOG = Logger.getLogger(RecordingService.class.getName());
    /** Bytes of the file per {@code data} message: one read of the segments, well under gRPC's 4 MiB. */
    public static final int CHUNK_BYTES = 1 << 20;
    /** Status messages travel in an HTTP/2 trailer, which clients cap at 8 KiB by default. */
    private static final int MAX_MESSAGE_CHARS = 1024;
    private static final long DEFAULT_MAX_GAP_MICROS = 2_000_000;
    /** Exports streaming at once: each holds its segment files open (about 1440 for a day of 60 s segments). */
    public static final int MAX_EXPORTS = 16;
    /**
     * Exports planned at once: planning reads the range's records (seconds for a day of video) on one of
     * the control server's four threads, so that two of them stay free for the control API.
     */
    static final int MAX_PLANNING = 2;

    private final RecordingStores stores;
    /** The store a camera of the producer records into, if it is recorded. */
    private final Function<String, Optional<Path>> recordsInto;
    private final int chunkBytes;
    private final Set<ExportStream> exports = ConcurrentHashMap.newKeySet();
    private final Semaphore streaming;
    private final Semaphore planning = new Semaphore(MAX_PLANNING);

    /**
     * @param recordsInto the store a camera records into now, from the producer's status (empty when
     *                    it is not recorded): where a camera without video yet is protected
     */
    public RecordingService(RecordingStores stores, Function<String, Optional<Path>> recordsInto) {
        this(stores, recordsInto, CHUNK_BYTES, MAX_EXPORTS);
    }

    /**
     * @param chunkBytes bytes per {@code data} message (tests make it small to see flow control work)
     * @param maxExports exports streaming at once; more are refused with RESOURCE_EXHAUSTED
     */
    RecordingService(RecordingStores stores, Function<String, Optional<Path>> recordsInto, int chunkBytes,
            int maxExports) {
        if (chunkBytes <= 0 || maxExports <= 0) {
            throw new IllegalArgumentException("chunkBytes " + chunkBytes + " and maxExports " + maxExports
                    + " must be positive");
        }
        this.streaming = new Semaphore(maxExports);
        this.stores = stores;
        this.recordsInto = recordsInto;
        this.chunkBytes = chunkBytes;
    }

    /** The exports streaming now, and how far each got. */
    public List<ExportStream.Progress> exports() {
        return exports.stream().map(ExportStream::progress).toList();
    }

    @Override
    public void listCameras(ListCamerasRequest request, StreamObserver<ListCamerasResponse> response) {
        answer(response, () -> {
            ListCamerasResponse.Builder out = ListCamerasResponse.newBuilder();
            for (Path directory : selected("ListCameras", request.getStore())) {
                StoreCameras.Builder store = StoreCameras.newBuilder().setStore(directory.toString());
                try (StoreView view = view("ListCameras", directory)) {
                    for (String camera : view.cameras()) {
                        List<SegmentRow> rows = view.index().segments(camera, Long.MIN_VALUE, Long.MAX_VALUE);
                        if (rows.isEmpty()) {
                            continue; // its last segment was deleted since the list was read
                        }
                        SegmentRow newest = rows.getLast();
                        store.addCameras(RecordedCamera.newBuilder().setCamera(camera).setSegments(rows.size())
                                .setBytes(rows.stream().mapToLong(SegmentRow::recordsEnd).sum())
                                .setFirstMicros(rows.getFirst().startMicros())
                                .setLastMicros(rows.stream().mapToLong(SegmentRow::endMicros).max().orElseThrow())
                                .setCodec(newest.codec().name()).setWidth(newest.width()).setHeight(newest.height()));
                    }
                }
                out.addStores(store);
            }
            return out.build();
        });
    }

    @Override
    public void listSpans(ListSpansRequest request, StreamObserver<ListSpansResponse> response) {
        answer(response, () -> {
            String camera = camera("ListSpans", request.getCamera());
            if (request.getMaxGapMicros() < 0) {
                throw fail(Status.INVALID_ARGUMENT, "ListSpans: max_gap_micros: " + request.getMaxGapMicros()
                        + " is negative; give 0 for the default (2 s)");
            }
            long maxGap = request.getMaxGapMicros() == 0 ? DEFAULT_MAX_GAP_MICROS : request.getMaxGapMicros();
            Path directory = storeOf("ListSpans", camera, request.getStore());
            try (StoreView view = view("ListSpans", directory)) {
                long to = request.getToMicros() == 0 ? nowMicros() : request.getToMicros();
                long from = request.getFromMicros();
                if (from == 0) {
                    from = view.index().segments(camera, Long.MIN_VALUE, Long.MAX_VALUE).stream()
                            .mapToLong(SegmentRow::startMicros).min().orElse(to);
                }
                if (to < from) {
                    throw fail(Status.INVALID_ARGUMENT, "ListSpans " + camera + ": to_micros (" + time(to)
                            + ") is before from_micros (" + time(from) + "): swap them");
                }
                Coverage coverage = view.index().coverage(camera, from, to, maxGap);
                return ListSpansResponse.newBuilder().setCamera(camera).setStore(directory.toString())
                        .setFromMicros(from).setToMicros(to).addAllSpans(spans(coverage.spans()))
                        .addAllGaps(spans(coverage.gaps())).build();
            }
        });
    }

    @Override
    public void export(io.virta.protos.recording.v1.ExportRequest request, StreamObserver<ExportChunk> response) {
        ExportStream stream;
        try {
            String camera = camera("Export", request.getCamera());
            if (request.getFromMicros() == 0 || request.getToMicros() == 0) {
                throw fail(Status.INVALID_ARGUMENT, "Export " + camera + ": from_micros and to_micros are required"
                        + " (capture times, µs since the epoch); ListSpans tells what was recorded");
            }
            ExportFormat format = switch (request.getFormat()) {
                case EXPORT_FORMAT_UNSPECIFIED, EXPORT_FORMAT_MP4 -> ExportFormat.MP4;
                case EXPORT_FORMAT_MKV -> ExportFormat.MKV;
                case UNRECOGNIZED -> throw fail(Status.INVALID_ARGUMENT, "Export " + camera + ": format "
                        + request.getFormatValue() + " is unknown; use EXPORT_FORMAT_MP4 or EXPORT_FORMAT_MKV");
            };
            Path directory = storeOf("Export", camera, request.getStore());
            if (!streaming.tryAcquire()) {
                throw fail(Status.RESOURCE_EXHAUSTED, "Export " + camera + ": " + exports.size() + " exports are"
                        + " streaming, as many as the producer serves at once; try again when one is done");
            }
            try {
                stream = plan(camera, directory, request.getFromMicros(), request.getToMicros(), format);
            } catch (RuntimeException e) {
                streaming.release();
                throw e;
            }
        } catch (StatusRuntimeException e) {
            response.onError(e);
            return;
        }
        exports.add(stream);
        stream.start((ServerCallStreamObserver<ExportChunk>) response);
    }

    private ExportStream plan(String camera, Path directory, long from, long to, ExportFormat format) {
        if (!planning.tryAcquire()) {
            throw fail(Status.RESOURCE_EXHAUSTED, "Export " + camera + ": " + MAX_PLANNING + " exports are being"
                    + " prepared (their records read); try again in a moment");
        }
        try {
            StoreView view = view("Export", directory);
            try {
                ExportFile file = Exporter.plan(view, new io.virta.recorder.export.ExportRequest(camera, from, to,
                        format));
                return new ExportStream(directory, view, file, chunkBytes, done -> {
                    exports.remove(done);
                    streaming.release();
                });
            } catch (IOException | ExportException | RuntimeException e) {
                view.close();
                throw exportFailure(camera, directory, e);
            }
        } finally {
            planning.release();
        }
    }

    private static StatusRuntimeException exportFailure(String camera, Path directory, Exception e) {
        return switch (e) {
            case StatusRuntimeException status -> status;
            case ExportException refused -> fail(switch (refused.reason()) {
                case NO_SUCH_CAMERA, NO_VIDEO -> Status.NOT_FOUND;
                case UNUSABLE_VIDEO -> Status.FAILED_PRECONDITION;
            }, "Export: " + refused.getMessage());
            case IllegalArgumentException bad -> fail(Status.INVALID_ARGUMENT, "Export: " + bad.getMessage());
            default -> fail(Status.UNAVAILABLE, "Export " + camera + ": cannot read store " + directory + ": " + e
                    + "; is its disk there? Try again once it is");
        };
    }

    @Override
    public void protect(ProtectRequest request, StreamObserver<ProtectResponse> response) {
        answer(response, () -> {
            Optional<String> camera = request.getCamera().isEmpty() ? Optional.empty()
                    : Optional.of(camera("Protect", request.getCamera()));
            String what = "Protect " + camera.orElse("(every camera)");
            if (request.getFromMicros() == 0 || request.getToMicros() == 0) {
                throw fail(Status.INVALID_ARGUMENT, what + ": from_micros and to_micros are required (capture times,"
                        + " µs since the epoch)");
            }
            if (request.getToMicros() < request.getFromMicros()) {
                throw fail(Status.INVALID_ARGUMENT, what + ": to_micros (" + time(request.getToMicros())
                        + ") is before from_micros (" + time(request.getFromMicros()) + "): swap them");
            }
            if (request.getReason().isBlank()) {
                throw fail(Status.INVALID_ARGUMENT, what + ": reason is required (a case number, who asked), for"
                        + " the people who look at the protected ranges later");
            }
            List<Path> targets;
            if (!request.getStore().isEmpty()) {
                targets = selected("Protect", request.getStore());
            } else if (camera.isPresent()) {
                targets = storesHolding("Protect", camera.get());
            } else {
                targets = selected("Protect", "");
            }
            ProtectResponse.Builder out = ProtectResponse.newBuilder();
            for (Path directory : targets) {
                ProtectedRanges ranges = protections("Protect", directory);
                try {
                    ProtectedRange added = ranges.add(camera, instant(request.getFromMicros()),
                            instant(request.getToMicros()), request.getReason());
                    LOG.info(() -> "recording store " + directory + ": protected range " + added.id() + " added over"
                            + " gRPC: " + added.camera().orElse("every camera") + " " + added.from() + " to "
                            + added.to());
                    out.addRanges(message(directory, added));
                } catch (IllegalArgumentException e) {
                    throw fail(Status.INVALID_ARGUMENT, what + ": " + e.getMessage());
                } catch (IOException e) {
                    throw fail(Status.UNAVAILABLE, what + ": store " + directory + ": " + e.getMessage()
                            + (out.getRangesCount() == 0 ? "" : " (added in " + out.getRangesList().stream()
                            .map(r -> r.getStore() + " as " + r.getId()).toList() + ")"));
                }
            }
            return out.build();
        });
    }

    @Override
    public void listProtections(ListProtectionsRequest request, StreamObserver<ListProtectionsResponse> response) {
        answer(response, () -> {
            ListProtectionsResponse.Builder out = ListProtectionsResponse.newBuilder();
            for (Path directory : selected("ListProtections", request.getStore())) {
                ProtectedRanges ranges = protections("ListProtections", directory);
                ranges.unusable().ifPresent(why -> out.addProblems(directory + ": " + why));
                for (ProtectedRange range : ranges.list()) {
                    out.addRanges(message(directory, range));
                }
            }
            return out.build();
        });
    }

    @Override
    public void unprotect(UnprotectRequest request, StreamObserver<UnprotectResponse> response) {
        answer(response, () -> {
            long id = request.getId();
            if (id <= 0) {
                throw fail(Status.INVALID_ARGUMENT, "Unprotect: id: " + id + " is not a range's id; ListProtections"
                        + " lists them");
            }
            List<Path> holding = new ArrayList<>();
            for (Path directory : selected("Unprotect", request.getStore())) {
                if (protections("Unprotect", directory).list().stream().anyMatch(r -> r.id() == id)) {
                    holding.add(directory);
                }
            }
            if (holding.isEmpty()) {
                throw fail(Status.NOT_FOUND, "Unprotect: no protected range " + id + " in " + (request.getStore()
                        .isEmpty() ? "the stores " + stores.directories() : "store " + request.getStore())
                        + "; ListProtections lists them");
            }
            if (holding.size() > 1) {
                throw fail(Status.INVALID_ARGUMENT, "Unprotect: stores " + holding + " each have a range " + id
                        + "; name the one meant in store");
            }
            Path directory = holding.getFirst();
            ProtectedRanges ranges = protections("Unprotect", directory);
            Optional<ProtectedRange> range = ranges.list().stream().filter(r -> r.id() == id).findFirst();
            try {
                if (range.isEmpty() || !ranges.remove(id)) {
                    throw fail(Status.NOT_FOUND, "Unprotect: protected range " + id + " of store " + directory
                            + " was lifted meanwhile");
                }
            } catch (IOException e) {
                throw fail(Status.UNAVAILABLE, "Unprotect " + id + ": store " + directory + ": " + e.getMessage());
            }
            LOG.info(() -> "recording store " + directory + ": protected range " + id + " lifted over gRPC ("
                    + range.get().reason() + ")");
            return UnprotectResponse.newBuilder().setRemoved(message(directory, range.get())).build();
        });
    }

    // ---- stores ----

    /** The store {@code store} names (as configured), or every store when it is empty. */
    private List<Path> selected(String call, String store) {
        List<Path> all = stores.directories();
        if (all.isEmpty()) {
            throw fail(Status.FAILED_PRECONDITION, call + ": recording is off in this producer: its configuration"
                    + " has no recording: section (add recording: { store: DIRECTORY } and record: { enabled: true }"
                    + " to the cameras, see docs/recording.md)");
        }
        if (store.isEmpty()) {
            return all;
        }
        Path asked = Path.of(store).toAbsolutePath().normalize();
        for (Path directory : all) {
            if (directory.toString().equals(store) || directory.toAbsolutePath().normalize().equals(asked)) {
                return List.of(directory);
            }
        }
        throw fail(Status.NOT_FOUND, call + ": store " + store + " is not one of this producer's stores " + all);
    }

    /** The store holding {@code camera}'s video: {@code store} when given, else the one that has it. */
    private Path storeOf(String call, String camera, String store) {
        return store.isEmpty() ? storesHolding(call, camera).getFirst() : selected(call, store).getFirst();
    }

    /**
     * The stores that hold video of {@code camera}, the one it records into first; that one alone when
     * none holds any yet (protecting video to come).
     */
    private List<Path> storesHolding(String call, String camera) {
        List<Path> all = selected(call, "");
        Optional<Path> own = recordsInto.apply(camera).filter(all::contains);
        List<Path> ordered = new ArrayList<>(all);
        own.ifPresent(p -> {
            ordered.remove(p);
            ordered.addFirst(p);
        });
        List<Path> holding = new ArrayList<>();
        for (Path directory : ordered) {
            try (StoreView view = view(call, directory)) {
                if (view.cameras().contains(camera)) {
                    holding.add(directory);
                }
            }
        }
        if (holding.isEmpty() && own.isPresent() && call.equals("Protect")) {
            return List.of(own.get());
        }
        if (holding.isEmpty()) {
            throw fail(Status.NOT_FOUND, call + ": no store of this producer " + all + " holds video of camera "
                    + camera + "; ListCameras lists the cameras that have some");
        }
        return holding;
    }

    /** A read-only view of {@code directory}; UNAVAILABLE naming it when it is gone or unreadable. */
    private StoreView view(String call, Path directory) {
        present(call, directory);
        try {
            return StoreView.open(directory);
        } catch (RuntimeException e) {
            throw fail(Status.UNAVAILABLE, call + ": cannot read the index of store " + directory + ": "
                    + e.getMessage() + "; is its disk there? Try again once it is");
        }
    }

    private void present(String call, Path directory) {
        boolean present = stores.opened(directory).map(RecordingStore::present).orElse(false);
        if (!present) {
            throw fail(Status.UNAVAILABLE, call + ": store " + directory + " is gone (its directory was removed or"
                    + " its disk unmounted); the producer pauses the cameras recording there. Mount the disk or"
                    + " restore the directory");
        }
    }

    private ProtectedRanges protections(String call, Path directory) {
        present(call, directory);
        return stores.retention(directory).orElseThrow(() -> fail(Status.NOT_FOUND, call + ": store " + directory
                + " is not one of this producer's stores")).protections();
    }

    // ---- messages ----

    private static String camera(String call, String camera) {
        if (camera.isEmpty()) {
            throw fail(Status.INVALID_ARGUMENT, call + ": camera is required; ListCameras lists the cameras with video");
        }
        try {
            ChannelName.validate(camera);
        } catch (InvalidChannelNameException e) {
            throw fail(Status.INVALID_ARGUMENT, call + ": camera: " + e.getMessage());
        }
        return camera;
    }

    private static List<TimeSpan> spans(List<Span> spans) {
        return spans.stream().map(s -> TimeSpan.newBuilder().setStartMicros(s.startMicros())
                .setEndMicros(s.endMicros()).build()).toList();
    }

    private static io.virta.protos.recording.v1.ProtectedRange message(Path store, ProtectedRange range) {
        return io.virta.protos.recording.v1.ProtectedRange.newBuilder().setId(range.id()).setStore(store.toString())
                .setCamera(range.camera().orElse("")).setFromMicros(micros(range.from()))
                .setToMicros(micros(range.to())).setReason(range.reason()).setCreatedMicros(micros(range.created()))
                .build();
    }

    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    static String time(long micros) {
        return instant(micros).toString();
    }

    private static long nowMicros() {
        return micros(Instant.now());
    }

    /** A status whose message is capped to what a trailer carries. */
    static StatusRuntimeException fail(Status status, String message) {
        String text = message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message;
        return status.withDescription(text).asRuntimeException();
    }

    /** Runs a unary call: its answer, or its status (an unexpected failure as INTERNAL, logged). */
    private static <T> void answer(StreamObserver<T> response, java.util.function.Supplier<T> call) {
        T answer;
        try {
            answer = call.get();
        } catch (StatusRuntimeException e) {
            response.onError(e);
            return;
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "recording API call failed", e);
            response.onError(fail(Status.INTERNAL, "the producer failed: " + e + " (its log has the details)"));
            return;
        }
        response.onNext(answer);
        response.onCompleted();
    }
}
