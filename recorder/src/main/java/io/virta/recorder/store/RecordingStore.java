package io.virta.recorder.store;

import io.virta.bus.ChannelName;
import io.virta.recorder.format.StoreLayout;
import io.virta.recorder.index.IndexException;
import io.virta.recorder.index.RecordingIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One store directory, open for recording (docs/recording-format.md section 2): it holds the store's
 * lock, runs recovery (section 6) before anything is written, and hands out one {@link CameraWriter}
 * per camera.
 *
 * <p><b>Threads:</b> {@link #camera} and {@link #close} may be called from any thread; each camera
 * writer belongs to one thread. <b>Lifetime:</b> closing the store seals no segment: close the
 * camera writers first (a segment left open is recovered on the next open, as after a crash).
 *
 * <pre>{@code
 * try (RecordingStore store = RecordingStore.open(Path.of("/mnt/disk1/virta"), SegmentPolicy.DEFAULT)) {
 *     log(store.recovery());
 *     try (CameraWriter lobby = store.camera("lobby")) { ... }
 *     store.index().coverage("lobby", from, to, 2_000_000);
 * }
 * }</pre>
 */
public final class RecordingStore implements AutoCloseable {
    private final Path directory;
    private final SegmentPolicy policy;
    private final StoreLock lock;
    private final RecordingIndex index;
    private final RecoveryReport recovery;
    private final AtomicLong nextSegmentId;
    private final Set<String> camerasWriting = new HashSet<>();
    private final StoreIdentity identity;
    /** Told when a camera starts or seals a segment (retention); does nothing until one is set. */
    private volatile Runnable segmentsChanged = () -> { };

    private RecordingStore(Path directory, SegmentPolicy policy, StoreLock lock, RecordingIndex index,
                           RecoveryReport recovery, StoreIdentity identity) {
        this.directory = directory;
        this.identity = identity;
        this.policy = policy;
        this.lock = lock;
        this.index = index;
        this.recovery = recovery;
        this.nextSegmentId = new AtomicLong(index.nextSegmentId());
    }

    /**
     * Opens {@code directory} (creating it if needed), takes its lock and recovers it.
     *
     * @throws StoreLockedException when another recorder holds it, naming that recorder's pid
     * @throws IOException when the directory cannot be made or read, naming it
     */
    public static RecordingStore open(Path directory, SegmentPolicy policy) throws IOException {
        Files.createDirectories(directory);
        StoreLock lock = StoreLock.acquire(directory);
        RecordingIndex index = null;
        try {
            List<String> notes = new ArrayList<>();
            index = openOrRebuild(directory, notes);
            RecoveryReport report = Recovery.run(directory, index, notes);
            return new RecordingStore(directory, policy, lock, index, report, StoreIdentity.of(directory));
        } catch (IOException | RuntimeException e) {
            if (index != null) {
                index.close();
            }
            lock.close();
            throw e;
        }
    }

    /**
     * Opens the index; one that is damaged is moved to {@code damaged/} and a new one made, which
     * recovery fills from the segment files (section 6, step 4). One of another schema version is
     * left alone: a newer Virta may own the store.
     */
    private static RecordingIndex openOrRebuild(Path directory, List<String> notes) throws IOException {
        Path file = StoreLayout.indexFile(directory);
        try {
            return RecordingIndex.open(file);
        } catch (IndexException failure) {
            if (failure.reason() != IndexException.Reason.UNREADABLE) {
                throw failure;
            }
            Path damaged = StoreLayout.damagedDirectory(directory);
            Files.createDirectories(damaged);
            long now = System.currentTimeMillis();
            for (String suffix : List.of("", "-wal", "-shm")) {
                Path part = directory.resolve(StoreLayout.INDEX_FILE + suffix);
                if (Files.exists(part)) {
                    Files.move(part, damaged.resolve(StoreLayout.INDEX_FILE + suffix + "." + now));
                }
            }
            notes.add(file + ": damaged (" + failure.getMessage() + "); moved to " + damaged
                    + " and rebuilt from the segment files");
            return RecordingIndex.open(file);
        }
    }

    /**
     * The writer of {@code camera}; one at a time per camera.
     *
     * @throws IllegalStateException if the camera already has an open writer
     */
    public synchronized CameraWriter camera(String camera) {
        ChannelName.validate(camera);
        if (!camerasWriting.add(camera)) {
            throw new IllegalStateException("camera " + camera + " is already being recorded into " + directory
                    + "; close its writer first");
        }
        return new CameraWriter(directory, identity, camera, index, policy, nextSegmentId::getAndIncrement,
                () -> released(camera), () -> segmentsChanged.run());
    }

    private synchronized void released(String camera) {
        camerasWriting.remove(camera);
    }

    public Path directory() {
        return directory;
    }

    public RecordingIndex index() {
        return index;
    }

    /**
     * Sets what is told, on the camera's own thread, each time a camera starts or seals a segment:
     * retention's cheap signal ({@code RetentionService::segmentsChanged}). It must not block.
     */
    public void onSegmentsChanged(Runnable listener) {
        segmentsChanged = listener;
    }

    /** False once the store's directory was deleted or its disk unmounted (see {@link StoreIdentity}). */
    public boolean present() {
        return identity.present();
    }

    /** What recovery did when this store was opened. */
    public RecoveryReport recovery() {
        return recovery;
    }

    @Override
    public void close() throws IOException {
        try {
            index.close();
        } finally {
            lock.close();
        }
    }
}
