package io.virta.recorder;

import io.virta.recorder.ingest.CameraChannel;
import io.virta.recorder.ingest.ChannelRecorder;
import io.virta.recorder.ingest.IngestOptions;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A recorder: one store, opened with its lock and recovered (docs/recording-format.md sections 2.1
 * and 6), and one {@link ChannelRecorder} per camera reading the camera's encoded bus channel.
 *
 * <p><b>Threads:</b> one per camera, started by {@link #open}; {@link #close} may be called from any
 * thread, once. <b>Lifetime:</b> {@link #close} stops in order: every camera's reader stops, each
 * camera's last segment is sealed (which forces it), then the index is closed and the store's lock
 * released. A recorder that is killed instead loses nothing that was appended: the next open recovers.
 *
 * <pre>{@code
 * try (Recorder recorder = Recorder.open(Path.of("/mnt/disk1/virta"), SegmentPolicy.DEFAULT,
 *         List.of(CameraChannel.h264("lobby"), CameraChannel.h265("yard")), IngestOptions.DEFAULT)) {
 *     log(recorder.store().recovery());
 *     ... recorder.camera("lobby").lag() ...
 * }
 * }</pre>
 */
public final class Recorder implements AutoCloseable {
    private final RecordingStore store;
    private final List<ChannelRecorder> cameras;

    private Recorder(RecordingStore store, List<ChannelRecorder> cameras) {
        this.store = store;
        this.cameras = cameras;
    }

    /**
     * Opens {@code directory} as a store and starts recording {@code cameras}.
     *
     * @throws io.virta.recorder.store.StoreLockedException when another recorder holds the store
     * @throws IOException when the store cannot be opened or recovered, naming it
     */
    public static Recorder open(Path directory, SegmentPolicy policy, List<CameraChannel> cameras,
                                IngestOptions options) throws IOException {
        RecordingStore store = RecordingStore.open(directory, policy);
        List<ChannelRecorder> recorders = new ArrayList<>();
        try {
            for (CameraChannel camera : cameras) {
                recorders.add(new ChannelRecorder(store, camera, options));
            }
        } catch (RuntimeException e) {
            recorders.forEach(ChannelRecorder::close);
            store.close();
            throw e;
        }
        recorders.forEach(ChannelRecorder::start);
        return new Recorder(store, List.copyOf(recorders));
    }

    public RecordingStore store() {
        return store;
    }

    public List<ChannelRecorder> cameras() {
        return cameras;
    }

    /** The recorder of {@code camera}. */
    public ChannelRecorder camera(String camera) {
        for (ChannelRecorder recorder : cameras) {
            if (recorder.channel().camera().equals(camera)) {
                return recorder;
            }
        }
        throw new IllegalArgumentException("camera " + camera + " is not recorded into " + store.directory()
                + "; recorded: " + cameras.stream().map(r -> r.channel().camera()).toList());
    }

    @Override
    public void close() throws IOException {
        cameras.forEach(ChannelRecorder::stop); // all stop at once, rather than one tick after another
        cameras.forEach(ChannelRecorder::close);
        store.close();
    }
}
