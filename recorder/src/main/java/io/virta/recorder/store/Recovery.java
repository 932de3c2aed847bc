package io.virta.recorder.store;

import io.virta.recorder.format.RecordCodec;
import io.virta.recorder.format.SegmentFormatException;
import io.virta.recorder.format.SegmentHeader;
import io.virta.recorder.format.SegmentHeaderDescriptor;
import io.virta.recorder.format.StoreLayout;
import io.virta.recorder.index.RecordingIndex;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

import static io.virta.recorder.format.RecordDescriptor.FLAG_KEYFRAME;
import static io.virta.recorder.format.RecordDescriptor.HEADER_LENGTH;

/**
 * Brings a store back to a state where every segment is sealed and indexed, after any stop: the
 * recovery algorithm of docs/recording-format.md section 6, step by step. {@link RecordingStore}
 * runs it on open, under the store's lock, so no command is ever needed.
 *
 * <p>It never deletes video: it cuts only bytes after the last intact record of a segment that was
 * open, deletes only files whose header page is all zero (a crash between preallocation and header),
 * and moves anything else it cannot read to {@code damaged/}. It reads the tail of each open segment
 * from its last keyframe before the index's synced offset, so its time grows with {@code syncSeconds}
 * and the number of cameras, not with the store's size.
 *
 * <p>Single-threaded; allocates freely (it runs once per start). Hostile bytes in segment files are
 * counted in the report, never thrown; I/O errors of the disk are thrown, naming the file.
 */
public final class Recovery {
    private final Path store;
    private final RecordingIndex index;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer sealHeader = ByteBuffer.allocateDirect(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);

    private int segmentsChecked;
    private int tailsCut;
    private long bytesCut;
    private int orphansAdopted;
    private int rowsDropped;
    private int filesMovedAside;
    private long damagedRecords;
    private final List<String> notes;

    private Recovery(Path store, RecordingIndex index, List<String> notes) {
        this.store = store;
        this.index = index;
        this.notes = new ArrayList<>(notes);
    }

    /**
     * Runs recovery over {@code store}; the caller holds its {@link StoreLock}.
     *
     * @param notes what the caller found before (a rebuilt index), to head the report's notes
     */
    public static RecoveryReport run(Path store, RecordingIndex index, List<String> notes) throws IOException {
        return new Recovery(store, index, notes).run();
    }

    private RecoveryReport run() throws IOException {
        // Step 1: the segment files on disk, by their path relative to the store.
        Map<String, Path> files = listSegmentFiles();
        // Step 2: index rows whose file is gone are dropped; the video is gone with the file.
        Map<String, SegmentRow> rows = new HashMap<>();
        for (SegmentRow row : index.allSegments()) {
            if (!files.containsKey(row.file())) {
                index.removeSegment(row.id());
                rowsDropped++;
                notes.add(store.resolve(row.file()) + ": in the index but not on disk; its row was dropped");
            } else {
                rows.put(row.file(), row);
            }
        }
        for (Map.Entry<String, Path> entry : files.entrySet()) {
            SegmentRow row = rows.get(entry.getKey());
            if (row == null) {
                adopt(entry.getKey(), entry.getValue());            // step 4
            } else if (row.state() == SegmentState.OPEN) {
                checkOpenTail(row, entry.getValue());               // step 3
            }
        }
        // Step 5: the cuts and new names are made durable before recording starts again.
        if (Files.isDirectory(StoreLayout.camerasDirectory(store))) {
            try (DirectoryStream<Path> cameras = Files.newDirectoryStream(StoreLayout.camerasDirectory(store))) {
                for (Path camera : cameras) {
                    if (Files.isDirectory(camera)) {
                        CameraWriter.syncDirectory(camera);
                    }
                }
            }
        }
        return new RecoveryReport(segmentsChecked, tailsCut, bytesCut, orphansAdopted, rowsDropped, filesMovedAside,
                damagedRecords, notes);
    }

    private Map<String, Path> listSegmentFiles() throws IOException {
        Map<String, Path> files = new HashMap<>();
        Path cameras = StoreLayout.camerasDirectory(store);
        if (!Files.isDirectory(cameras)) {
            return files;
        }
        try (DirectoryStream<Path> cameraDirectories = Files.newDirectoryStream(cameras)) {
            for (Path camera : cameraDirectories) {
                if (!Files.isDirectory(camera)) {
                    continue;
                }
                try (DirectoryStream<Path> segments = Files.newDirectoryStream(camera)) {
                    for (Path file : segments) {
                        if (StoreLayout.segmentIdOf(file.getFileName().toString()).isPresent()) {
                            files.put(StoreLayout.CAMERAS_DIRECTORY + "/" + camera.getFileName() + "/"
                                    + file.getFileName(), file);
                        }
                    }
                }
            }
        }
        return files;
    }

    /**
     * Step 3: a segment the index says is open. Its records before the synced offset were forced before
     * the index learned that offset, so the check starts at the last keyframe before it.
     */
    private void checkOpenTail(SegmentRow row, Path file) throws IOException {
        segmentsChecked++;
        long start = index.lastKeyframeOffsetBefore(row.id(), row.syncedOffset());
        try (SegmentReader reader = SegmentReader.open(file, SegmentReader.Mode.STOP_AT_DAMAGE)) {
            Scan scan = scan(reader, row.id(), Math.max(start, SegmentHeaderDescriptor.LENGTH));
            if (scan.frames == 0 && start > SegmentHeaderDescriptor.LENGTH) {
                // The keyframe the index pointed at is damaged itself: read the segment from its start.
                scan = scan(reader, row.id(), SegmentHeaderDescriptor.LENGTH);
            }
            finishOpenSegment(row.id(), file, reader, scan);
        } catch (SegmentFormatException unreadable) {
            index.removeSegment(row.id());
            moveAside(file, unreadable.getMessage());
        }
    }

    /** Step 4: a segment file the index does not know (the index was lost, or a crash beat its insert). */
    private void adopt(String relative, Path file) throws IOException {
        segmentsChecked++;
        if (headerPageIsZero(file)) {
            Files.delete(file);
            notes.add(file + ": deleted, its header was never written (a crash right after preallocation); it held no video");
            return;
        }
        SegmentReader.Mode mode;
        try (SegmentReader probe = SegmentReader.open(file, SegmentReader.Mode.RESYNC)) {
            // A sealed segment was cut to its records' end; an open one still has its preallocated length.
            mode = probe.fileLength() < probe.header().allocatedLength() ? SegmentReader.Mode.RESYNC
                    : SegmentReader.Mode.STOP_AT_DAMAGE;
        } catch (SegmentFormatException unreadable) {
            moveAside(file, unreadable.getMessage());
            return;
        }
        try (SegmentReader reader = SegmentReader.open(file, mode)) {
            SegmentHeader header = reader.header();
            OptionalLong named = StoreLayout.segmentIdOf(file.getFileName().toString());
            if (named.isEmpty() || named.getAsLong() != header.segmentId()
                    || !file.getParent().getFileName().toString().equals(header.camera())) {
                moveAside(file, file + ": its header says camera " + header.camera() + ", segment "
                        + header.segmentId() + ", which its path does not; it was copied or renamed by hand");
                return;
            }
            index.addSegment(new SegmentRow(header.segmentId(), header.camera(), relative, header.stream().codec(),
                    header.stream().width(), header.stream().height(), header.startTimeMicros(),
                    header.startTimeMicros(), SegmentHeaderDescriptor.LENGTH, SegmentHeaderDescriptor.LENGTH,
                    SegmentState.OPEN));
            Scan scan = scan(reader, header.segmentId(), SegmentHeaderDescriptor.LENGTH);
            orphansAdopted++;
            notes.add(file + ": adopted into the index (" + scan.frames + " frames)");
            if (mode == SegmentReader.Mode.RESYNC) {
                index.seal(header.segmentId(), scan.frames == 0 ? header.startTimeMicros() : scan.lastCaptureMicros,
                        reader.end() == SegmentEnd.SEALED ? reader.endOffset() : scan.lastRecordEnd);
            } else {
                finishOpenSegment(header.segmentId(), file, reader, scan);
            }
        }
    }

    /** What a scan saw: the frames read, the last one's time, sequence and end. */
    private static final class Scan {
        long frames;
        long lastCaptureMicros;
        long lastSequence;
        long lastRecordEnd = SegmentHeaderDescriptor.LENGTH;
    }

    /** Reads every intact record from {@code from} to the end, indexing the keyframes on the way. */
    private Scan scan(SegmentReader reader, long segmentId, long from) throws IOException {
        Scan scan = new Scan();
        reader.seek(from);
        long segmentStart = reader.header().startTimeMicros();
        while (reader.next()) {
            scan.frames++;
            scan.lastCaptureMicros = reader.captureTimeMicros();
            scan.lastSequence = reader.sequence();
            scan.lastRecordEnd = io.virta.recorder.format.RecordDescriptor.nextRecordOffset(reader.offset(),
                    reader.payloadLength());
            if ((reader.flags() & FLAG_KEYFRAME) != 0) {
                index.addKeyframe(segmentId, segmentStart, reader.captureTimeMicros(), reader.offset());
            }
        }
        if (reader.mode() == SegmentReader.Mode.RESYNC) {
            // Damage where an open segment stops is its torn tail (step 3), expected after any crash;
            // damage inside a sealed segment is not.
            damagedRecords += reader.damagedRecords();
        }
        return scan;
    }

    /**
     * The end of step 3 and of step 4 for open files: a segment its writer sealed needs only its row;
     * otherwise the torn tail is cut (a seal written at the end of the last intact record, the file
     * truncated after it); a segment with no intact frame is deleted.
     */
    private void finishOpenSegment(long segmentId, Path file, SegmentReader reader, Scan scan) throws IOException {
        long end = reader.endOffset();
        if (reader.end() == SegmentEnd.SEALED) {
            if (reader.fileLength() > end + HEADER_LENGTH) {
                // The writer died between writing the seal and cutting the preallocated space off (section 5.4).
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(end + HEADER_LENGTH);
                    channel.force(true);
                }
            }
            index.seal(segmentId, scan.frames == 0 ? reader.header().startTimeMicros() : scan.lastCaptureMicros, end);
            return;
        }
        index.removeKeyframesFrom(segmentId, end);
        if (end == SegmentHeaderDescriptor.LENGTH) {
            index.removeSegment(segmentId);
            Files.delete(file);
            notes.add(file + ": deleted, no frame of it reached the disk");
            return;
        }
        long cut = reader.fileLength() - end;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            RecordCodec.encodeSeal(sealHeader, crc, scan.lastCaptureMicros, scan.lastSequence);
            while (sealHeader.hasRemaining()) {
                channel.write(sealHeader, end + sealHeader.position());
            }
            channel.truncate(end + HEADER_LENGTH);
            channel.force(true);
        }
        index.seal(segmentId, scan.lastCaptureMicros, end);
        tailsCut++;
        bytesCut += cut;
        if (reader.end() == SegmentEnd.DAMAGED) {
            notes.add(file + ": torn tail cut at offset " + end + " (a damaged record there; " + cut
                    + " bytes after the last intact frame, sequence " + scan.lastSequence + ")");
        }
    }

    private static boolean headerPageIsZero(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer page = ByteBuffer.allocate(SegmentHeaderDescriptor.LENGTH);
            while (page.hasRemaining() && channel.read(page) >= 0) {
                // read the page whole
            }
            for (int i = 0; i < page.position(); i++) {
                if (page.get(i) != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    private void moveAside(Path file, String why) throws IOException {
        Path damaged = StoreLayout.damagedDirectory(store);
        Files.createDirectories(damaged);
        Path target = damaged.resolve(file.getParent().getFileName() + "-" + file.getFileName() + "."
                + System.currentTimeMillis());
        Files.move(file, target);
        filesMovedAside++;
        notes.add(why + " Moved to " + target + ".");
    }
}
