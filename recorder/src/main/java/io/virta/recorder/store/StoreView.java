package io.virta.recorder.store;

import io.virta.recorder.format.StoreLayout;
import io.virta.recorder.index.RecordingIndex;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A store opened for reading while a recorder may be writing it (listing, seeking, exporting, the
 * command line and the web view): it takes no lock, runs no recovery and changes nothing
 * (docs/recording-format.md sections 4.3 and 7).
 *
 * <p><b>What it sees.</b> The index as of the recorder's last commit: an open segment's end there is
 * at most one keyframe interval or one sync old (section 7.1). Reading the segment itself goes further:
 * {@link #openSegment} reads an open segment to its last intact record, so a reader sees frames up to
 * what the recorder has handed to the kernel, and stops at a record being written as at a torn tail.
 * A segment that retention deletes while it is read stays readable to the end (the open file keeps it);
 * one deleted before it is opened gives {@link NoSuchFileException}, which callers treat as "no longer
 * recorded".
 *
 * <p><b>Threads:</b> the index is thread-safe; each {@link SegmentReader} belongs to one thread.
 * <b>Hostile input:</b> damaged records are counted and passed over (section 4.3), never thrown.
 *
 * <pre>{@code
 * try (StoreView store = StoreView.open(Path.of("/mnt/disk1/virta"))) {
 *     Coverage spans = store.index().coverage("lobby", from, to, 2_000_000);
 *     KeyframePosition at = store.index().keyframeAtOrBefore("lobby", moment).orElseThrow();
 *     try (SegmentReader reader = store.openSegment(at.segmentId())) {
 *         reader.seek(at.offset());
 *         while (reader.next() && reader.captureTimeMicros() <= to) { ... reader.payload() ... }
 *     }
 * }
 * }</pre>
 */
public final class StoreView implements AutoCloseable {
    private final Path directory;
    private final RecordingIndex index;

    private StoreView(Path directory, RecordingIndex index) {
        this.directory = directory;
        this.index = index;
    }

    /**
     * Opens {@code directory}'s index for reading.
     *
     * @throws io.virta.recorder.index.IndexException naming the store when it has no readable index
     */
    public static StoreView open(Path directory) {
        return new StoreView(directory, RecordingIndex.openReadOnly(StoreLayout.indexFile(directory)));
    }

    public Path directory() {
        return directory;
    }

    public RecordingIndex index() {
        return index;
    }

    /** The cameras the store holds video of, by name. */
    public List<String> cameras() {
        return index.cameras();
    }

    /** The segment file of a row. */
    public Path file(SegmentRow row) {
        return directory.resolve(row.file());
    }

    /**
     * Opens a segment for reading: a sealed one in the resynchronizing mode (damage is passed over), an
     * open one in the stop-at-damage mode, to its last intact record (section 4.3).
     *
     * @throws NoSuchFileException when retention deleted it meanwhile
     */
    public SegmentReader openSegment(SegmentRow row) throws IOException {
        SegmentReader.Mode mode = row.state() == SegmentState.SEALED
                ? SegmentReader.Mode.RESYNC : SegmentReader.Mode.STOP_AT_DAMAGE;
        return SegmentReader.open(file(row), mode);
    }

    /** The row of segment {@code id}, if the index still has it. */
    public java.util.Optional<SegmentRow> segment(long id) {
        return index.segment(id);
    }

    /** Opens segment {@code id} as {@link #openSegment(SegmentRow)} does. */
    public SegmentReader openSegment(long id) throws IOException {
        SegmentRow row = segment(id).orElseThrow(() -> new NoSuchFileException(directory + ": segment "
                + Long.toHexString(id) + " is no longer in the store (deleted by retention?)"));
        return openSegment(row);
    }

    /** True when a store directory with an index exists at {@code directory}. */
    public static boolean isStore(Path directory) {
        return Files.isRegularFile(StoreLayout.indexFile(directory));
    }

    @Override
    public void close() {
        index.close();
    }
}
