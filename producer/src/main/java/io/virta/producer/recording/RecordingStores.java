package io.virta.producer.recording;

import io.virta.producer.config.CameraConfig;
import io.virta.producer.config.RecordingConfig;
import io.virta.producer.output.CameraOutput;
import io.virta.producer.output.OutputFactory;
import io.virta.producer.status.CameraStatus;
import io.virta.recorder.format.StoreLayout;
import io.virta.recorder.ingest.CameraChannel;
import io.virta.recorder.ingest.IngestOptions;
import io.virta.recorder.retention.CameraRetention;
import io.virta.recorder.retention.RetentionService;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.RecoveryReport;
import io.virta.recorder.store.StoreLockedException;
import io.virta.recorder.store.StoreView;
import io.virta.rtsp.media.VideoCodec;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The recording stores of a producer ({@code recording:}, docs/recording.md): each is opened once,
 * at start ({@link RecordingStore#open}: its lock, then recovery, whose report is logged), and each
 * recorded camera gets a {@link ChannelRecorderOutput} from {@link #outputs()}, which reads the
 * camera's encoded channel through the bus and appends to the camera's store.
 *
 * <p><b>Lifetime.</b> Open before any camera starts; close after every camera's recorder has closed
 * (the producer stops its cameras first), so that each camera's last segment is sealed before the
 * store's index and lock go. <b>Threads.</b> {@link #outputs()}'s factory runs on the camera's
 * ingest thread; {@link #usage} and {@link #idle} from any thread; one daemon thread of its own
 * samples the stores' disk usage: free space every {@value #FREE_EVERY_SECONDS} s, and the bytes of
 * the stores' files by a walk as often, unless walks take long, which then come at most
 * {@value #WALK_SHARE} times their own duration apart (a store of millions of segments is walked
 * every few minutes, not every few seconds). Without stores it starts no thread and makes no output.
 *
 * <pre>{@code
 * RecordingStores recording = RecordingStores.open(config.recording());   // a startup error names the store
 * factories.add(recording.outputs());                                      // after the encoded channel's
 * ...
 * cameras stop; recording.close();
 * }</pre>
 */
public final class RecordingStores implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RecordingStores.class.getName());
    static final int FREE_EVERY_SECONDS = 5;
    /** Walks of the stores take at most one part in this many of the sampler thread's time. */
    static final int WALK_SHARE = 100;

    private final RecordingConfig config;
    /** By the directory as configured, in the configuration's order. */
    private final Map<Path, Store> stores;
    private final IngestOptions ingest;
    /** Null without stores. */
    private final ScheduledExecutorService sampler;
    /** Each camera that has been recorded since start, and its store: where its event marks go. */
    private final Map<String, Store> recordedCameras = new java.util.concurrent.ConcurrentHashMap<>();
    /** Owned by the sampler thread: when the last walk of the stores started, and how long it took. */
    private long lastWalkNanos;
    private long walkCostNanos = -1;
    /** Read-only views of the stores, opened on demand ({@link #view}); guarded by itself. */
    private final Map<Path, StoreView> views = new HashMap<>();
    /** Set under {@link #views}' lock by {@link #close()}. */
    private boolean closed;

    /** One open store, its retention, and its last usage sample. */
    static final class Store {
        final RecordingStore store;
        final String setting;
        final RetentionService retention;
        volatile Usage usage = Usage.NONE;

        Store(RecordingStore store, String setting, RetentionService retention) {
            this.store = store;
            this.setting = setting;
            this.retention = retention;
        }

        /**
         * What the last retention pass warns of for {@code camera} (its own budget, or the store's), so
         * that the camera's status says why video is kept beyond a budget or deleted sooner than hoped.
         */
        Optional<String> retentionWarning(String camera) {
            return retention.lastReport().concerning(camera, store.directory());
        }
    }

    /** A store's sample: bytes of all its files, of each camera's directory, and free on its disk. */
    record Usage(long storeBytes, Map<String, Long> cameraBytes, long freeBytes, long sampledAtMicros) {
        static final Usage NONE = new Usage(0, Map.of(), 0, 0);
    }

    private RecordingStores(RecordingConfig config, Map<Path, Store> stores, IngestOptions ingest) {
        this.config = config;
        this.stores = stores;
        this.ingest = ingest;
        if (stores.isEmpty()) {
            this.sampler = null;
        } else {
            this.sampler = Executors.newSingleThreadScheduledExecutor(task -> Thread.ofPlatform()
                    .name("recording-usage").daemon(true).unstarted(task));
            sampler.scheduleWithFixedDelay(this::sample, 0, FREE_EVERY_SECONDS, TimeUnit.SECONDS);
        }
    }

    /**
     * Opens every store of {@code config} (none when recording is off).
     *
     * @throws IllegalStateException naming the store and its setting when one cannot be opened (another
     *                               recorder holds it, it cannot be made or written); those opened before it are closed
     */
    public static RecordingStores open(RecordingConfig config) {
        return open(config, IngestOptions.DEFAULT);
    }

    /** As {@link #open(RecordingConfig)}, with how the cameras' recorders pace themselves (tests shorten retries). */
    public static RecordingStores open(RecordingConfig config, IngestOptions ingest) {
        Map<Path, Store> opened = new LinkedHashMap<>();
        List<Path> directories = config.stores();
        for (int i = 0; i < directories.size(); i++) {
            Path directory = directories.get(i);
            String setting = directories.size() == 1 ? "recording.store" : "recording.stores[" + i + "]";
            try {
                RecordingStore store = RecordingStore.open(directory, config.policy());
                logRecovery(setting, directory, store.recovery());
                RetentionService retention;
                try {
                    retention = RetentionService.open(store, config.retention(), InstantSource.system());
                } catch (RuntimeException e) {
                    store.close();
                    throw e;
                }
                store.onSegmentsChanged(retention::segmentsChanged);
                retention.start();
                opened.put(directory, new Store(store, setting, retention));
            } catch (IOException | RuntimeException e) {
                closeAll(opened.values());
                throw new IllegalStateException(setting + " " + directory + ": cannot record there: " + describe(e), e);
            }
        }
        return new RecordingStores(config, opened, ingest);
    }

    private static void logRecovery(String setting, Path directory, RecoveryReport report) {
        Level level = report.clean() ? Level.INFO : Level.WARNING;
        LOG.log(level, () -> "recording store " + directory + " (" + setting + ") open; " + report);
        for (String note : report.notes()) {
            LOG.log(level, () -> "recording store " + directory + ": " + note);
        }
    }

    /** Why a store could not be opened, and what to do about it. */
    private static String describe(Exception e) {
        return switch (e) {
            case StoreLockedException locked -> locked.getMessage(); // it says whom, and what to do
            case AccessDeniedException denied -> "permission denied on " + denied.getFile() + "; make the directory"
                    + " writable by the user the producer runs as, or choose another one";
            case NoSuchFileException missing -> missing.getFile() + " does not exist and cannot be made; create it"
                    + " or choose another directory";
            case FileSystemException fs -> fs.getFile() + ": " + (fs.getReason() == null ? fs.getClass().getSimpleName()
                    : fs.getReason());
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    /** The configuration the stores were opened with. */
    public RecordingConfig config() {
        return config;
    }

    /**
     * The recorders' factory: a {@link OutputFactory.Lifetime#CODEC} output per session of each camera
     * with {@code record.enabled}. The recorder reads the camera's encoded channel, whose name depends
     * on the codec, so it opens and closes with that channel: list it after the encoded channel's
     * factory, so it opens once the channel exists and closes before it.
     */
    public OutputFactory outputs() {
        return camera -> {
            CameraConfig.RecordConfig record = camera.config().record();
            if (!record.enabled()) {
                return Optional.empty();
            }
            Store store = store(camera.config());
            recordedCameras.put(camera.config().name(), store);
            CameraRetention own = record.retention();
            if (!own.equals(CameraRetention.INHERIT)
                    && !own.equals(store.retention.policy().cameras().get(camera.config().name()))) {
                store.retention.policy(store.retention.policy().withCamera(camera.config().name(), own));
            }
            CameraChannel channel = camera.codec() == VideoCodec.H265 ? CameraChannel.h265(camera.config().name())
                    : CameraChannel.h264(camera.config().name());
            return Optional.<CameraOutput>of(new ChannelRecorderOutput(store, channel, ingest, this));
        };
    }

    private Store store(CameraConfig camera) {
        Store store = stores.get(camera.record().store());
        if (store == null) {
            throw new IllegalStateException("camera " + camera.name() + ": record.store " + camera.record().store()
                    + " is not one of the stores this producer opened " + stores.keySet());
        }
        return store;
    }

    /**
     * The recording of a camera that has no recorder now: {@link CameraStatus.RecordingState#OFF} when
     * it is not recorded, else {@code state} with the store's usage.
     */
    public CameraStatus.Recording idle(CameraConfig camera, CameraStatus.RecordingState state) {
        if (!camera.record().enabled()) {
            return CameraStatus.Recording.OFF;
        }
        return CameraStatus.Recording.idle(state, camera.record().store(), usage(camera.record().store(), camera.name()));
    }

    /**
     * Where the event marks of {@code camera} go (event-extended retention, {@link EventRetention}): its
     * store's mark log, with the labels the store's policy keeps video for; empty for a camera that is not
     * recorded.
     */
    public Optional<EventRetention.Target> marksFor(String camera) {
        Store store = recordedCameras.get(camera);
        if (store == null) {
            return Optional.empty();
        }
        return Optional.of(new EventRetention.Target() {
            @Override
            public java.util.Set<String> labels() {
                return store.retention.policy().limitsOf(camera).rules().keySet();
            }

            @Override
            public void mark(io.virta.recorder.retention.EventMark mark) throws IOException {
                store.retention.marks().mark(mark);
            }
        });
    }

    /** The stores' directories as configured, in the configuration's order; empty when recording is off. */
    public List<Path> directories() {
        return List.copyOf(stores.keySet());
    }

    /** The open store {@code directory} (as configured); empty when it is not one of the producer's. */
    public Optional<RecordingStore> opened(Path directory) {
        return Optional.ofNullable(stores.get(directory)).map(s -> s.store);
    }

    /**
     * A read-only view of the store {@code directory} beside its recorder, for the web view and the
     * control API's readers: opened at the first call, kept, closed with the stores. Empty when it is not
     * one of the producer's stores or its index cannot be opened.
     */
    public Optional<StoreView> view(Path directory) {
        if (!stores.containsKey(directory)) {
            return Optional.empty();
        }
        synchronized (views) {
            if (closed) {
                return Optional.empty();
            }
            StoreView view = views.get(directory);
            if (view == null) {
                try {
                    view = StoreView.open(directory);
                } catch (RuntimeException e) {
                    LOG.fine(() -> "recording store " + directory + ": cannot open it for reading: " + e);
                    return Optional.empty();
                }
                views.put(directory, view);
            }
            return Optional.of(view);
        }
    }

    /** False once the store {@code directory}'s directory was deleted or its disk unmounted, or when it is not one of these. */
    public boolean present(Path directory) {
        Store store = stores.get(directory);
        return store != null && store.store.present();
    }

    /** The first store whose index holds video of {@code camera}, in the configuration's order. */
    public Optional<Path> storeHolding(String camera) {
        for (Path directory : stores.keySet()) {
            try {
                if (stores.get(directory).store.index().cameras().contains(camera)) {
                    return Optional.of(directory);
                }
            } catch (RuntimeException e) {
                LOG.fine(() -> "recording store " + directory + ": cannot list its cameras: " + e);
            }
        }
        return Optional.empty();
    }

    /** The retention of the store {@code directory}, as configured; empty when it is not one of the producer's. */
    public Optional<RetentionService> retention(Path directory) {
        return Optional.ofNullable(stores.get(directory)).map(s -> s.retention);
    }

    /** The last usage sample of {@code store} for {@code camera}; {@link CameraStatus.StoreUsage#NOT_SAMPLED} before the first. */
    public CameraStatus.StoreUsage usage(Path store, String camera) {
        Store open = stores.get(store);
        if (open == null) {
            return CameraStatus.StoreUsage.NOT_SAMPLED;
        }
        Usage u = open.usage;
        return u.sampledAtMicros() == 0 ? CameraStatus.StoreUsage.NOT_SAMPLED
                : new CameraStatus.StoreUsage(u.storeBytes(), u.cameraBytes().getOrDefault(camera, 0L), u.freeBytes(),
                        u.sampledAtMicros());
    }

    /** One tick of the sampler thread: free space every time, the files' bytes when a walk is due. */
    private void sample() {
        long started = System.nanoTime();
        boolean walk = walkCostNanos < 0 || started - lastWalkNanos >= WALK_SHARE * walkCostNanos;
        for (Store store : stores.values()) {
            Path directory = store.store.directory();
            Usage last = store.usage;
            try {
                long free = Files.getFileStore(directory).getUsableSpace();
                long now = System.currentTimeMillis() * 1000;
                if (walk || last.sampledAtMicros() == 0) {
                    Map<String, Long> cameras = new HashMap<>();
                    long total = walk(directory, cameras);
                    store.usage = new Usage(total, Map.copyOf(cameras), free, now);
                } else {
                    store.usage = new Usage(last.storeBytes(), last.cameraBytes(), free, now);
                }
            } catch (IOException | RuntimeException e) {
                // The recorder pauses the cameras of a store that fails, and says so; usage keeps its last sample.
                LOG.fine(() -> "recording store " + directory + ": cannot sample its usage: " + e);
            }
        }
        if (walk) {
            lastWalkNanos = started;
            walkCostNanos = System.nanoTime() - started;
        }
    }

    /** The bytes of every file under the store, and of each camera's directory into {@code cameras}. */
    private static long walk(Path store, Map<String, Long> cameras) throws IOException {
        Path cameraRoot = StoreLayout.camerasDirectory(store);
        long[] total = new long[1];
        Files.walkFileTree(store, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                total[0] += attributes.size();
                if (file.startsWith(cameraRoot) && file.getNameCount() > cameraRoot.getNameCount() + 1) {
                    cameras.merge(file.getName(cameraRoot.getNameCount()).toString(), attributes.size(), Long::sum);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // a segment deleted during the walk
            }
        });
        return total[0];
    }

    /** Stops sampling and closes every store: call it after the cameras' recorders have closed. */
    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
            try {
                sampler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (views) {
            closed = true;
            views.values().forEach(StoreView::close);
            views.clear();
        }
        closeAll(stores.values());
    }

    private static void closeAll(Iterable<Store> stores) {
        List<Store> all = new ArrayList<>();
        stores.forEach(all::add);
        for (Store store : all) {
            store.retention.close(); // before the index it reads goes
            try {
                store.store.close();
            } catch (IOException | RuntimeException e) {
                LOG.warning(() -> "recording store " + store.store.directory() + ": closing it: " + e
                        + " (the next start recovers it)");
            }
        }
    }
}
