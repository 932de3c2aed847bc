package io.virta.recorder.store;

import io.virta.recorder.format.SegmentHeader;
import io.virta.recorder.format.SegmentHeaderDescriptor;
import io.virta.recorder.format.StoreLayout;
import io.virta.recorder.format.StreamParameters;
import io.virta.recorder.index.RecordingIndex;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

import static io.virta.recorder.format.RecordDescriptor.FLAG_DISCONTINUITY;
import static io.virta.recorder.format.RecordDescriptor.FLAG_KEYFRAME;
import static io.virta.recorder.format.RecordDescriptor.HEADER_LENGTH;

/**
 * Records one camera: cuts its frames into segments (docs/recording-format.md section 5.3), keeps the
 * index up to date once per keyframe and per sync (section 7), and seals the last segment on close.
 *
 * <p><b>Threads:</b> one thread calls {@link #append}, {@link #syncIfDue} and {@link #close}; the
 * counters may be read by others as hints. <b>Allocation:</b> none per frame that continues a segment;
 * a keyframe costs one index insert (JDBC allocates), a new segment a file and a header.
 * <b>Errors:</b> an {@link IOException} from {@link #append} means the disk refused (full, gone,
 * failing): the caller pauses this camera, and what was written stays readable.
 *
 * <pre>{@code
 * try (CameraWriter camera = store.camera("lobby")) {
 *     StreamParameters stream = new StreamParameters(PixelFormat.H264, 1920, 1080, spsPps);
 *     camera.append(stream, frame.payloadBuffer(), frame.captureTimeMicros(), frame.sequence(), frame.flags());
 *     if (!frame.isIntact()) {
 *         camera.retractLast();                 // the cell was reused during the write
 *     }
 *     camera.syncIfDue(System.nanoTime());      // also on idle ticks, so a stalled camera is synced too
 * }
 * }</pre>
 */
public final class CameraWriter implements AutoCloseable {
    private final Path store;
    private final StoreIdentity identity;
    private final Runnable segmentsChanged;
    private final String camera;
    private final RecordingIndex index;
    private final SegmentPolicy policy;
    private final LongSupplier segmentIds;
    private final Runnable onClose;
    private final long segmentMicros;
    private final long maxGapMicros;
    private final long syncNanos;

    private SegmentWriter segment;
    private StreamParameters stream;
    private long segmentStartMicros;
    private long framesWritten;
    private long bytesWritten;
    /** The payload length of the last frame, for {@link #retractLast}. */
    private int lastLength;
    private long framesSkipped;
    private long segmentsStarted;
    /** Set by {@link #continueAfter} until the next append: the store's last frame, which that append may continue. */
    private RecordedFrame continuing;

    CameraWriter(Path store, StoreIdentity identity, String camera, RecordingIndex index, SegmentPolicy policy,
                 LongSupplier segmentIds, Runnable onClose, Runnable segmentsChanged) {
        this.segmentsChanged = segmentsChanged;
        this.store = store;
        this.identity = identity;
        this.camera = camera;
        this.index = index;
        this.policy = policy;
        this.segmentIds = segmentIds;
        this.onClose = onClose;
        this.segmentMicros = policy.segmentTime().toNanos() / 1000;
        this.maxGapMicros = policy.maxGap().toNanos() / 1000;
        this.syncNanos = policy.sync().toNanos();
    }

    /**
     * Writes one encoded access unit (Annex-B, {@code payload}'s remaining bytes, position unchanged on
     * return). The frame is with the kernel when this returns. Then check that the bus cell was not
     * overwritten meanwhile ({@link #retractLast} if it was), and call {@link #syncIfDue}.
     *
     * @param flags the bus cell's flags, kept as they were (docs/bus-format.md section 2.3)
     */
    public AppendOutcome append(StreamParameters parameters, ByteBuffer payload, long captureTimeMicros,
                                long sequence, int flags) throws IOException {
        boolean keyframe = (flags & FLAG_KEYFRAME) != 0;
        int length = payload.remaining();
        AppendOutcome outcome = AppendOutcome.WRITTEN;
        if (segment == null || needsNewSegment(parameters, captureTimeMicros, flags, keyframe, length)) {
            boolean continues = continuing != null && segment == null && sequence == continuing.sequence() + 1
                    && parameters.equals(continuing.parameters());
            continuing = null;
            if (!keyframe && !continues && (segment == null || !parameters.equals(stream))) {
                framesSkipped++;
                return AppendOutcome.SKIPPED_UNTIL_KEYFRAME;
            }
            startSegment(parameters, captureTimeMicros, length);
            outcome = AppendOutcome.STARTED_SEGMENT;
        }
        long offset = segment.append(payload, captureTimeMicros, sequence, flags);
        framesWritten++;
        bytesWritten += length;
        lastLength = length;
        if (keyframe) {
            index.addKeyframe(segment.header().segmentId(), segmentStartMicros, captureTimeMicros, offset);
            index.updateProgress(segment.header().segmentId(), captureTimeMicros, segment.recordsEnd(),
                    segment.syncedOffset());
        }
        return outcome;
    }

    /**
     * The last frame of this camera's newest segment, as the store holds it now: where a recorder that
     * starts again resumes. Read before the first {@link #append}; it reads the segment from its last
     * indexed keyframe on (one GOP), so it costs a few reads, not a scan.
     */
    public Optional<RecordedFrame> lastRecorded() throws IOException {
        List<SegmentRow> rows = index.segments(camera, Long.MIN_VALUE, Long.MAX_VALUE);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        SegmentRow newest = rows.getLast();
        try (SegmentReader reader = SegmentReader.open(store.resolve(newest.file()), SegmentReader.Mode.RESYNC,
                newest.recordsEnd())) {
            long keyframe = index.lastKeyframeOffsetBefore(newest.id(), newest.recordsEnd());
            if (keyframe >= 0) {
                reader.seek(keyframe);
            }
            Optional<RecordedFrame> last = Optional.empty();
            while (reader.next()) {
                last = Optional.of(new RecordedFrame(reader.sequence(), reader.captureTimeMicros(),
                        reader.header().stream()));
            }
            return last;
        }
    }

    /**
     * Lets the next {@link #append} start a segment with a frame that is not a keyframe, if it is the
     * frame right after {@code last} (the next bus sequence number, the same parameters): a recorder
     * that resumes right after the store's last frame (section 9) loses none of the GOP it stopped in,
     * since the frames it writes refer to pictures the previous segment holds (section 5.3, rule 1).
     */
    public void continueAfter(RecordedFrame last) {
        continuing = last;
    }

    /**
     * Takes back the frame the last {@link #append} wrote (section 5.1), for a bus cell that the writer
     * reused while it was being written. Call it before {@link #syncIfDue}.
     */
    public void retractLast() throws IOException {
        if (segment == null) {
            return;
        }
        if (segment.discardLast()) {
            index.removeKeyframesFrom(segment.header().segmentId(), segment.recordsEnd());
            framesWritten--;
            bytesWritten -= lastLength;
        }
    }

    /** Section 5.3: the rules that end a segment, in the order the spec lists them. */
    private boolean needsNewSegment(StreamParameters parameters, long captureTimeMicros, int flags, boolean keyframe,
                                    int length) {
        if (parameters != stream && !parameters.equals(stream)) { // rule 1
            return true;
        }
        if (!segment.fits(length) || captureTimeMicros - segmentStartMicros >= StoreLayout.MAX_SEGMENT_MICROS) { // rule 2
            return true;
        }
        if (!keyframe) {
            return false;
        }
        long sinceLast = captureTimeMicros - segment.lastCaptureMicros();
        return captureTimeMicros - segmentStartMicros >= segmentMicros // rule 3
                || segment.recordsEnd() >= segment.header().allocatedLength() / 4 * 3
                || sinceLast > maxGapMicros || sinceLast < -maxGapMicros
                || (flags & FLAG_DISCONTINUITY) != 0;
    }

    private void startSegment(StreamParameters parameters, long captureTimeMicros, int firstLength)
            throws IOException {
        sealSegment();
        identity.verify(); // never recreate a vanished store's directories in its place
        long id = segmentIds.getAsLong();
        long allocated = Math.max(policy.segmentBytes(),
                SegmentHeaderDescriptor.LENGTH + 2L * HEADER_LENGTH + firstLength + 8);
        String relative = StoreLayout.relativeSegmentPath(camera, id);
        Path directory = StoreLayout.cameraDirectory(store, camera);
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory);
            syncDirectory(directory.getParent());
            syncDirectory(store);
        }
        SegmentHeader header = new SegmentHeader(camera, parameters, id, captureTimeMicros,
                System.currentTimeMillis() * 1000, allocated);
        segment = SegmentWriter.create(store.resolve(relative), header, syncNanos);
        syncDirectory(directory);
        stream = parameters;
        segmentStartMicros = captureTimeMicros;
        segmentsStarted++;
        index.addSegment(new SegmentRow(id, camera, relative, parameters.codec(), parameters.width(),
                parameters.height(), captureTimeMicros, captureTimeMicros, segment.recordsEnd(), segment.syncedOffset(),
                SegmentState.OPEN));
        segmentsChanged.run();
    }

    /** A new name is durable only once its directory is forced (section 5.2). */
    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * Forces the open segment if its last force is {@code syncSeconds} old, and tells the index how far
     * the disk has it (recovery starts its checks there). Call it on idle ticks too.
     *
     * @return true if it forced the segment now
     */
    public boolean syncIfDue(long nowNanos) throws IOException {
        if (segment != null && segment.syncIfDue(nowNanos)) {
            // A force succeeds on a deleted file too: the store's presence is checked at each sync, once a second.
            identity.verify();
            index.updateProgress(segment.header().segmentId(), segment.lastCaptureMicros(), segment.recordsEnd(),
                    segment.syncedOffset());
            return true;
        }
        return false;
    }

    /** Forces the open segment now. */
    public void sync() throws IOException {
        if (segment != null) {
            segment.sync(System.nanoTime());
            index.updateProgress(segment.header().segmentId(), segment.lastCaptureMicros(), segment.recordsEnd(),
                    segment.syncedOffset());
        }
    }

    private void sealSegment() throws IOException {
        if (segment == null) {
            return;
        }
        SegmentWriter ending = segment;
        segment = null;
        ending.seal();
        long end = ending.frames() == 0 ? ending.header().startTimeMicros() : ending.lastCaptureMicros();
        index.seal(ending.header().segmentId(), end, ending.recordsEnd());
        segmentsChanged.run();
    }

    /** Seals the open segment and lets the store give this camera a new writer. */
    @Override
    public void close() throws IOException {
        try {
            sealSegment();
        } finally {
            onClose.run();
        }
    }

    /**
     * Closes the open segment's file without sealing it, as a crash would leave it, and frees the
     * camera: for a store whose directory vanished, and for tests of recovery.
     */
    public void abandon() throws IOException {
        try {
            if (segment != null) {
                segment.close();
                segment = null;
            }
        } finally {
            onClose.run();
        }
    }

    public String camera() {
        return camera;
    }

    public long framesWritten() {
        return framesWritten;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    /** Frames dropped because no segment could start with them (no keyframe yet). */
    public long framesSkipped() {
        return framesSkipped;
    }

    public long segmentsStarted() {
        return segmentsStarted;
    }

    /** The segment being written, for status and tests; null between segments. */
    public SegmentWriter openSegment() {
        return segment;
    }
}
