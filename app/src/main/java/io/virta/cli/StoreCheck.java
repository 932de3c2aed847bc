package io.virta.cli;

import io.virta.recorder.format.SegmentFormatException;
import io.virta.recorder.format.SegmentHeaderDescriptor;
import io.virta.recorder.format.StoreLayout;
import io.virta.recorder.index.IndexException;
import io.virta.recorder.index.RecordingIndex;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;
import io.virta.recorder.store.SegmentEnd;
import io.virta.recorder.store.SegmentReader;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static io.virta.recorder.format.RecordDescriptor.nextRecordOffset;

/**
 * {@code virta record check}: reads every record of every segment file of a store, checking each
 * checksum in the resynchronizing mode (docs/recording-format.md section 4.3), and compares what it
 * read with the index (section 7): damaged records (with their offsets), files the index does not
 * know, index rows without a file, headers that cannot be read or name another camera or id, and
 * keyframe counts that differ.
 *
 * <p>It takes no lock and changes nothing, so it runs beside a recorder. An open segment (being
 * written, or left by a crash) is read up to the index's synced offset only: what lies after it is
 * being written, or is a tail that recovery checks at the recorder's next start (section 6, step 3).
 *
 * <p>Single-threaded; made per run. Hostile bytes in a segment are findings, never exceptions; an I/O
 * error of the disk is thrown, naming the file.
 *
 * <pre>{@code
 * StoreCheck.Result result = StoreCheck.run(Path.of("/mnt/disk1/virta"));
 * result.problems().forEach(p -> System.out.println(p.file() + ": " + p.what()));
 * }</pre>
 */
final class StoreCheck {
    /** The kinds of finding, each with what a person does about it. */
    enum Kind {
        /** Checksums failed: bit rot or a failing disk. Readers pass over them; nothing can restore them. */
        DAMAGED_RECORDS,
        /** A segment file whose header cannot be read: its frames cannot be decoded. */
        UNREADABLE_HEADER,
        /** A file whose header names another camera or segment id than its path. */
        MISPLACED_FILE,
        /** A segment file the index does not know: listing, seeking and export do not see its video. */
        FILE_NOT_IN_INDEX,
        /** An index row whose file is gone: the index promises video that is not there. */
        ROW_WITHOUT_FILE,
        /** The index and the file disagree on a segment's keyframes: seeking in it may miss some. */
        KEYFRAME_MISMATCH,
        /** The store has no index at all, or one that cannot be read. */
        NO_INDEX;

        /** True for the findings that rebuilding the index ({@code --repair}) puts right. */
        boolean repairable() {
            return this != DAMAGED_RECORDS;
        }
    }

    /** One thing wrong: the file (relative to the store) and a sentence about it. */
    record Problem(Kind kind, String file, String what) {
    }

    /** A run of bytes that held no intact record, in a segment file. */
    record DamagedRange(long offset, long length) {
    }

    /**
     * What the check found.
     *
     * @param segmentFiles   segment files read
     * @param frames         intact frames read
     * @param bytes          bytes of the segment files (preallocated ones at their full size)
     * @param openSegments   segments the index lists as open (read up to their synced offset)
     * @param recorderPid    the pid the lock file names, when that process is alive
     */
    record Result(Path store, int segmentFiles, long frames, long bytes, int openSegments,
                  Optional<Long> recorderPid, List<Problem> problems) {
        boolean clean() {
            return problems.isEmpty();
        }

        boolean onlyDamagedRecords() {
            return problems.stream().allMatch(p -> p.kind() == Kind.DAMAGED_RECORDS);
        }
    }

    private final Path store;
    private final List<Problem> problems = new ArrayList<>();
    private long frames;
    private long bytes;
    private int openSegments;

    private StoreCheck(Path store) {
        this.store = store;
    }

    /** Checks {@code store}; see the class comment. */
    static Result run(Path store) throws IOException {
        return new StoreCheck(store).check();
    }

    private Result check() throws IOException {
        Map<String, Path> files = segmentFiles();
        Map<String, SegmentRow> rows = new TreeMap<>();
        Map<Long, Long> indexKeyframes = new TreeMap<>();
        readIndex(rows, indexKeyframes);
        for (SegmentRow row : rows.values()) {
            if (!files.containsKey(row.file())) {
                problems.add(new Problem(Kind.ROW_WITHOUT_FILE, row.file(), "the index lists segment "
                        + hex(row.id()) + " of camera " + row.camera() + " but the file is missing (deleted by hand?)"));
            }
        }
        for (Map.Entry<String, Path> entry : files.entrySet()) {
            SegmentRow row = rows.get(entry.getKey());
            checkFile(entry.getKey(), entry.getValue(), Optional.ofNullable(row),
                    row == null ? 0 : indexKeyframes.getOrDefault(row.id(), 0L));
        }
        return new Result(store, files.size(), frames, bytes, openSegments, livingRecorder(), List.copyOf(problems));
    }

    /** Every {@code cameras/CAMERA/SEGMENTID.vseg}, by its path relative to the store, in path order. */
    private Map<String, Path> segmentFiles() throws IOException {
        Map<String, Path> files = new TreeMap<>();
        Path cameras = StoreLayout.camerasDirectory(store);
        if (!Files.isDirectory(cameras)) {
            return files;
        }
        try (DirectoryStream<Path> cameraDirectories = Files.newDirectoryStream(cameras, Files::isDirectory)) {
            for (Path camera : cameraDirectories) {
                try (DirectoryStream<Path> segments = Files.newDirectoryStream(camera)) {
                    for (Path file : segments) {
                        String name = file.getFileName().toString();
                        if (StoreLayout.segmentIdOf(name).isPresent() && Files.isRegularFile(file)) {
                            files.put(StoreLayout.CAMERAS_DIRECTORY + "/" + camera.getFileName() + "/" + name, file);
                        }
                    }
                }
            }
        }
        return files;
    }

    private void readIndex(Map<String, SegmentRow> rows, Map<Long, Long> keyframes) {
        Path file = StoreLayout.indexFile(store);
        RecordingIndex index;
        try {
            index = RecordingIndex.openReadOnly(file);
        } catch (IndexException e) {
            problems.add(new Problem(Kind.NO_INDEX, StoreLayout.INDEX_FILE, Files.exists(file)
                    ? "the index cannot be read (" + e.getMessage() + ")"
                    : "there is no index: listing, seeking and export see none of the store's video"));
            return;
        }
        try {
            for (SegmentRow row : index.allSegments()) {
                rows.put(row.file(), row);
                keyframes.put(row.id(), index.keyframeCount(row.id()));
            }
        } finally {
            index.close();
        }
    }

    private void checkFile(String name, Path file, Optional<SegmentRow> row, long indexKeyframes) throws IOException {
        boolean open = row.isPresent() && row.get().state() == SegmentState.OPEN;
        long limit = open ? row.get().syncedOffset() : Long.MAX_VALUE;
        if (open) {
            openSegments++;
        }
        try {
            bytes += Files.size(file);
        } catch (NoSuchFileException deletedMeanwhile) {
            return; // retention deleted it since the listing: nothing to check
        }
        SegmentReader reader;
        try {
            reader = SegmentReader.open(file, SegmentReader.Mode.RESYNC, limit);
        } catch (SegmentFormatException e) {
            problems.add(new Problem(Kind.UNREADABLE_HEADER, name, e.getMessage()));
            return;
        } catch (NoSuchFileException deletedMeanwhile) {
            return;
        }
        try (reader) {
            String camera = Path.of(name).getParent().getFileName().toString();
            long id = StoreLayout.segmentIdOf(file.getFileName().toString()).orElseThrow();
            if (!reader.header().camera().equals(camera) || reader.header().segmentId() != id) {
                problems.add(new Problem(Kind.MISPLACED_FILE, name, "its header says camera "
                        + reader.header().camera() + ", segment " + hex(reader.header().segmentId())
                        + ": the file was moved or renamed"));
            }
            List<DamagedRange> damaged = new ArrayList<>();
            Set<Long> keyframeTimes = new HashSet<>();
            long expected = SegmentHeaderDescriptor.LENGTH;
            long seenDamage = 0;
            while (reader.next()) {
                if (reader.damagedRecords() > seenDamage) {
                    damaged.add(new DamagedRange(expected, reader.offset() - expected));
                    seenDamage = reader.damagedRecords();
                }
                frames++;
                if (reader.isKeyframe()) {
                    keyframeTimes.add(reader.captureTimeMicros()); // the index keeps one row per capture time
                }
                expected = nextRecordOffset(reader.offset(), reader.payloadLength());
            }
            if (reader.damagedRecords() > seenDamage) {
                long to = reader.end() == SegmentEnd.SEALED ? reader.endOffset() : reader.fileLength();
                damaged.add(new DamagedRange(expected, Math.max(0, to - expected)));
            }
            if (!damaged.isEmpty()) {
                problems.add(new Problem(Kind.DAMAGED_RECORDS, name, damaged.size() + " damaged record(s), "
                        + reader.skippedBytes() + " bytes passed over: " + String.join(", ",
                        damaged.stream().map(r -> "at offset " + r.offset() + " (" + r.length() + " bytes)").toList())));
            }
            if (row.isEmpty()) {
                problems.add(new Problem(Kind.FILE_NOT_IN_INDEX, name, "the index does not know this segment"
                        + " (camera " + reader.header().camera() + "): listing, seeking and export miss its video"));
            } else if (!open && keyframeTimes.size() != indexKeyframes && damaged.isEmpty()) {
                // With damaged records the file has fewer keyframes than were indexed; that is reported above.
                problems.add(new Problem(Kind.KEYFRAME_MISMATCH, name, "the index lists " + indexKeyframes
                        + " keyframes, the file has " + keyframeTimes.size()));
            }
        }
    }

    /** The recorder that holds the store, if the lock file names a process that is alive. */
    private Optional<Long> livingRecorder() {
        try {
            for (String line : Files.readAllLines(StoreLayout.lockFile(store))) {
                if (line.startsWith("pid=")) {
                    long pid = Long.parseLong(line.substring(4).trim());
                    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> pid);
                }
            }
        } catch (IOException | NumberFormatException noLockFile) {
            // no recorder ever opened the store, or the file is not ours: nothing to say
        }
        return Optional.empty();
    }

    static String hex(long id) {
        return java.util.HexFormat.of().toHexDigits(id);
    }
}
