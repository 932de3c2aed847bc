package io.virta.recorder.index;

import io.virta.bus.PixelFormat;
import io.virta.recorder.format.StoreLayout;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The store's index in SQLite (docs/recording-format.md section 7): one row per segment and one per
 * keyframe, so that listing a camera's spans and finding the keyframe at or before a moment are index
 * lookups, and a seek scans at most one GOP of a segment file.
 *
 * <p>The index is a cache of the segment files: everything in it can be rebuilt from them (section 6),
 * so it runs with {@code synchronous=NORMAL} in WAL mode and a power cut may take its last commits.
 * A person can inspect it with {@code sqlite3 STORE/index.sqlite}.
 *
 * <p><b>Threads:</b> all methods are synchronized on the index; one connection serves them. Writers call
 * it once per keyframe and per sync, never per frame. <b>Allocation:</b> JDBC allocates per call.
 * <b>Errors:</b> an {@link IndexException} names the index file and says what to do.
 *
 * <pre>{@code
 * try (RecordingIndex index = RecordingIndex.open(StoreLayout.indexFile(store))) {
 *     index.addSegment(row);
 *     index.addKeyframe(row.id(), captureMicros, offset);
 *     Coverage coverage = index.coverage("lobby", from, to, 2_000_000);
 *     Optional<KeyframePosition> at = index.keyframeAtOrBefore("lobby", moment);
 * }
 * }</pre>
 */
public final class RecordingIndex implements AutoCloseable {
    /** Section 7.1's schema version, in {@code PRAGMA user_version}. */
    public static final int SCHEMA_VERSION = 1;

    /** SQLite's result codes for a damaged file and for a file that is no database. */
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_NOTADB = 26;

    private final Path file;
    private final Connection connection;
    private final PreparedStatement insertSegment;
    private final PreparedStatement insertKeyframe;
    private final PreparedStatement updateProgress;
    private final PreparedStatement updateState;
    private final PreparedStatement segmentAtOrBefore;
    private final PreparedStatement keyframeInSegment;
    private final PreparedStatement overlapping;

    private RecordingIndex(Path file, Connection connection) throws SQLException {
        this.file = file;
        this.connection = connection;
        insertSegment = connection.prepareStatement("INSERT INTO segments(id, camera, file, codec, width, height,"
                + " start_us, end_us, records_end, synced_offset, state) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
        insertKeyframe = connection.prepareStatement(
                "INSERT OR IGNORE INTO keyframes(segment, at_us, offset) VALUES (?,?,?)");
        updateProgress = connection.prepareStatement(
                "UPDATE segments SET end_us = max(end_us, ?), records_end = ?, synced_offset = ? WHERE id = ?");
        updateState = connection.prepareStatement("UPDATE segments SET state = ?, end_us = ?, records_end = ?,"
                + " synced_offset = ? WHERE id = ?");
        segmentAtOrBefore = connection.prepareStatement("SELECT id, file, start_us FROM segments"
                + " WHERE camera = ? AND start_us <= ? ORDER BY start_us DESC LIMIT 2");
        keyframeInSegment = connection.prepareStatement("SELECT at_us, offset FROM keyframes"
                + " WHERE segment = ? AND at_us <= ? ORDER BY at_us DESC LIMIT 1");
        overlapping = connection.prepareStatement("SELECT " + COLUMNS + " FROM segments WHERE camera = ?"
                + " AND start_us >= ? AND start_us <= ? AND end_us >= ? ORDER BY start_us");
    }

    private static final String COLUMNS =
            "id, camera, file, codec, width, height, start_us, end_us, records_end, synced_offset, state";

    /**
     * Opens or creates the index.
     *
     * @throws IndexException naming the file when it cannot be opened or is of another schema version
     */
    public static RecordingIndex open(Path file) {
        try {
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA journal_mode=WAL");
                statement.execute("PRAGMA synchronous=NORMAL");
                int version;
                try (ResultSet result = statement.executeQuery("PRAGMA user_version")) {
                    version = result.next() ? result.getInt(1) : 0;
                }
                if (version != 0 && version != SCHEMA_VERSION) {
                    connection.close();
                    throw new IndexException(IndexException.Reason.OTHER_VERSION, file + ": index schema version " + version + ", this Virta uses "
                            + SCHEMA_VERSION + ". Move the file away: recovery rebuilds the index from the segment files.");
                }
                // Section 7.1. Keyframe times are relative to the segment's start: 4 bytes instead of 8 per row.
                statement.execute("CREATE TABLE IF NOT EXISTS segments(id INTEGER PRIMARY KEY, camera TEXT NOT NULL,"
                        + " file TEXT NOT NULL, codec INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,"
                        + " start_us INTEGER NOT NULL, end_us INTEGER NOT NULL, records_end INTEGER NOT NULL,"
                        + " synced_offset INTEGER NOT NULL, state INTEGER NOT NULL)");
                statement.execute("CREATE INDEX IF NOT EXISTS segments_by_camera_start ON segments(camera, start_us)");
                statement.execute("CREATE TABLE IF NOT EXISTS keyframes(segment INTEGER NOT NULL,"
                        + " at_us INTEGER NOT NULL, offset INTEGER NOT NULL, PRIMARY KEY(segment, at_us)) WITHOUT ROWID");
                statement.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            }
            return new RecordingIndex(file, connection);
        } catch (SQLException e) {
            boolean damaged = e.getErrorCode() == SQLITE_CORRUPT || e.getErrorCode() == SQLITE_NOTADB;
            throw new IndexException(damaged ? IndexException.Reason.UNREADABLE : IndexException.Reason.IO,
                    file + ": cannot open the recording index (" + e.getMessage() + "). Check the store's permissions"
                    + " and free space; if the file is damaged, move it away: recovery rebuilds it.", e);
        }
    }

    /**
     * Opens the index of a store that a recorder may be writing at the same time, for reading only:
     * SQLite's WAL mode lets readers and the one writer work at once. Nothing is created or changed.
     *
     * @throws IndexException naming the file when it is missing, of another schema version or unreadable
     */
    public static RecordingIndex openReadOnly(Path file) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IndexException(IndexException.Reason.IO, file + ": no recording index. Is "
                    + file.getParent() + " a store? A recorder makes the index when it first opens the store;"
                    + " `virta record check --repair --store " + file.getParent() + "` rebuilds it from the segment files.");
        }
        try {
            org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
            config.setReadOnly(true);
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
            try (Statement statement = connection.createStatement();
                 ResultSet result = statement.executeQuery("PRAGMA user_version")) {
                int version = result.next() ? result.getInt(1) : 0;
                if (version != SCHEMA_VERSION) {
                    connection.close();
                    throw new IndexException(IndexException.Reason.OTHER_VERSION, file + ": index schema version "
                            + version + ", this Virta reads " + SCHEMA_VERSION + ". Use the Virta that wrote the store,"
                            + " or move the index away and let a recorder rebuild it from the segment files.");
                }
            }
            return new RecordingIndex(file, connection);
        } catch (SQLException e) {
            boolean damaged = e.getErrorCode() == SQLITE_CORRUPT || e.getErrorCode() == SQLITE_NOTADB;
            throw new IndexException(damaged ? IndexException.Reason.UNREADABLE : IndexException.Reason.IO,
                    file + ": cannot read the recording index (" + e.getMessage() + "). Check its permissions;"
                    + " if it is damaged, the next recorder to open the store rebuilds it.", e);
        }
    }

    /** The cameras with at least one segment, by name. */
    public synchronized List<String> cameras() {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT DISTINCT camera FROM segments ORDER BY camera")) {
            List<String> cameras = new ArrayList<>();
            while (result.next()) {
                cameras.add(result.getString(1));
            }
            return cameras;
        } catch (SQLException e) {
            throw failure("list the cameras", e);
        }
    }

    public synchronized void addSegment(SegmentRow row) {
        try {
            insertSegment.setLong(1, row.id());
            insertSegment.setString(2, row.camera());
            insertSegment.setString(3, row.file());
            insertSegment.setInt(4, row.codec().code());
            insertSegment.setInt(5, row.width());
            insertSegment.setInt(6, row.height());
            insertSegment.setLong(7, row.startMicros());
            insertSegment.setLong(8, row.endMicros());
            insertSegment.setLong(9, row.recordsEnd());
            insertSegment.setLong(10, row.syncedOffset());
            insertSegment.setInt(11, row.state().code);
            insertSegment.executeUpdate();
        } catch (SQLException e) {
            throw failure("add segment " + row.id(), e);
        }
    }

    /** Adds a keyframe of segment {@code segmentId} that starts at {@code offset}; a second one at the same time is ignored. */
    public synchronized void addKeyframe(long segmentId, long segmentStartMicros, long captureMicros, long offset) {
        try {
            insertKeyframe.setLong(1, segmentId);
            insertKeyframe.setLong(2, captureMicros - segmentStartMicros);
            insertKeyframe.setLong(3, offset);
            insertKeyframe.executeUpdate();
        } catch (SQLException e) {
            throw failure("add a keyframe to segment " + segmentId, e);
        }
    }

    /** Records how far an open segment has come: its last frame's time, its records' end and its synced offset. */
    public synchronized void updateProgress(long segmentId, long endMicros, long recordsEnd, long syncedOffset) {
        try {
            updateProgress.setLong(1, endMicros);
            updateProgress.setLong(2, recordsEnd);
            updateProgress.setLong(3, syncedOffset);
            updateProgress.setLong(4, segmentId);
            updateProgress.executeUpdate();
        } catch (SQLException e) {
            throw failure("update segment " + segmentId, e);
        }
    }

    /** Marks a segment sealed with its final extent (section 7.1). */
    public synchronized void seal(long segmentId, long endMicros, long recordsEnd) {
        try {
            updateState.setInt(1, SegmentState.SEALED.code);
            updateState.setLong(2, endMicros);
            updateState.setLong(3, recordsEnd);
            updateState.setLong(4, recordsEnd);
            updateState.setLong(5, segmentId);
            updateState.executeUpdate();
        } catch (SQLException e) {
            throw failure("seal segment " + segmentId, e);
        }
    }

    /** Removes a segment and its keyframes (retention, or a file that is gone). */
    public synchronized void removeSegment(long segmentId) {
        try (PreparedStatement keyframes = connection.prepareStatement("DELETE FROM keyframes WHERE segment = ?");
             PreparedStatement segment = connection.prepareStatement("DELETE FROM segments WHERE id = ?")) {
            keyframes.setLong(1, segmentId);
            keyframes.executeUpdate();
            segment.setLong(1, segmentId);
            segment.executeUpdate();
        } catch (SQLException e) {
            throw failure("remove segment " + segmentId, e);
        }
    }

    /** Drops a segment's keyframes at or after {@code offset}: recovery cut the records they pointed to. */
    public synchronized void removeKeyframesFrom(long segmentId, long offset) {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM keyframes WHERE segment = ? AND offset >= ?")) {
            delete.setLong(1, segmentId);
            delete.setLong(2, offset);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw failure("cut the keyframes of segment " + segmentId, e);
        }
    }

    /** The offset of the segment's last keyframe before {@code offset}, or -1 when it has none. */
    public synchronized long lastKeyframeOffsetBefore(long segmentId, long offset) {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT max(offset) FROM keyframes WHERE segment = ? AND offset < ?")) {
            query.setLong(1, segmentId);
            query.setLong(2, offset);
            try (ResultSet result = query.executeQuery()) {
                long found = result.next() ? result.getLong(1) : -1;
                return result.wasNull() ? -1 : found;
            }
        } catch (SQLException e) {
            throw failure("find a keyframe of segment " + segmentId, e);
        }
    }

    /** Every segment, in id order: recovery compares them with the files. */
    public synchronized List<SegmentRow> allSegments() {
        return query("SELECT " + COLUMNS + " FROM segments ORDER BY id");
    }

    /**
     * Up to {@code limit} segments with ids from {@code fromId} on, in id order: retention reads new
     * segments in short batches so that it never holds the index long.
     */
    public synchronized List<SegmentRow> segmentsFrom(long fromId, int limit) {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM segments WHERE id >= ? ORDER BY id LIMIT ?")) {
            query.setLong(1, fromId);
            query.setInt(2, limit);
            try (ResultSet result = query.executeQuery()) {
                return rows(result);
            }
        } catch (SQLException e) {
            throw failure("list segments from id " + fromId, e);
        }
    }

    /** The segment with id {@code segmentId}, if the index has it. */
    public synchronized Optional<SegmentRow> segment(long segmentId) {
        try (PreparedStatement query = connection.prepareStatement("SELECT " + COLUMNS + " FROM segments WHERE id = ?")) {
            query.setLong(1, segmentId);
            try (ResultSet result = query.executeQuery()) {
                List<SegmentRow> found = rows(result);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
            }
        } catch (SQLException e) {
            throw failure("read segment " + segmentId, e);
        }
    }

    /** The segments of {@code camera} that overlap {@code [fromMicros, toMicros]}, in time order. */
    public synchronized List<SegmentRow> segments(String camera, long fromMicros, long toMicros) {
        try {
            overlapping.setString(1, camera);
            overlapping.setLong(2, Math.max(fromMicros, Long.MIN_VALUE + StoreLayout.MAX_SEGMENT_MICROS)
                    - StoreLayout.MAX_SEGMENT_MICROS);
            overlapping.setLong(3, toMicros);
            overlapping.setLong(4, fromMicros);
            try (ResultSet result = overlapping.executeQuery()) {
                return rows(result);
            }
        } catch (SQLException e) {
            throw failure("list the segments of " + camera, e);
        }
    }

    /**
     * The spans {@code camera} recorded over {@code [fromMicros, toMicros]}: segments closer than
     * {@code maxGapMicros} join into one span; each span is clipped to the range.
     */
    public Coverage coverage(String camera, long fromMicros, long toMicros, long maxGapMicros) {
        List<Span> spans = new ArrayList<>();
        long start = Long.MIN_VALUE;
        long end = Long.MIN_VALUE;
        for (SegmentRow row : segments(camera, fromMicros, toMicros)) {
            if (start != Long.MIN_VALUE && row.startMicros() - end <= maxGapMicros) {
                end = Math.max(end, row.endMicros());
                continue;
            }
            if (start != Long.MIN_VALUE) {
                spans.add(clip(start, end, fromMicros, toMicros));
            }
            start = row.startMicros();
            end = row.endMicros();
        }
        if (start != Long.MIN_VALUE) {
            spans.add(clip(start, end, fromMicros, toMicros));
        }
        return new Coverage(fromMicros, toMicros, spans);
    }

    private static Span clip(long start, long end, long from, long to) {
        return new Span(Math.max(start, from), Math.min(end, to));
    }

    /**
     * The keyframe of {@code camera} at or before {@code moment}: in the segment that starts last at or
     * before it, or in the one before that when the former starts without a keyframe (section 5.3).
     */
    public synchronized Optional<KeyframePosition> keyframeAtOrBefore(String camera, long moment) {
        try {
            segmentAtOrBefore.setString(1, camera);
            segmentAtOrBefore.setLong(2, moment);
            List<long[]> candidates = new ArrayList<>(2);
            List<String> files = new ArrayList<>(2);
            try (ResultSet result = segmentAtOrBefore.executeQuery()) {
                while (result.next()) {
                    candidates.add(new long[] {result.getLong(1), result.getLong(3)});
                    files.add(result.getString(2));
                }
            }
            for (int i = 0; i < candidates.size(); i++) {
                long segment = candidates.get(i)[0];
                long start = candidates.get(i)[1];
                keyframeInSegment.setLong(1, segment);
                keyframeInSegment.setLong(2, moment - start);
                try (ResultSet result = keyframeInSegment.executeQuery()) {
                    if (result.next()) {
                        return Optional.of(new KeyframePosition(segment, files.get(i), result.getLong(2),
                                start + result.getLong(1)));
                    }
                }
            }
            return Optional.empty();
        } catch (SQLException e) {
            throw failure("seek in " + camera, e);
        }
    }

    /** The id the next segment gets: one above every id the index has seen. */
    public synchronized long nextSegmentId() {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT coalesce(max(id), 0) + 1 FROM segments")) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw failure("find the next segment id", e);
        }
    }

    /** How many keyframes the index holds for a segment. */
    public synchronized long keyframeCount(long segmentId) {
        try (PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM keyframes WHERE segment = ?")) {
            query.setLong(1, segmentId);
            try (ResultSet result = query.executeQuery()) {
                return result.next() ? result.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw failure("count the keyframes of segment " + segmentId, e);
        }
    }

    /** Runs {@code work} in one transaction: recovery's many rows commit at once. */
    public synchronized void inTransaction(Runnable work) {
        try {
            connection.setAutoCommit(false);
            try {
                work.run();
                connection.commit();
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("commit", e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw failure("close", e);
        }
    }

    private List<SegmentRow> query(String sql) {
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            return rows(result);
        } catch (SQLException e) {
            throw failure("read segments", e);
        }
    }

    private static List<SegmentRow> rows(ResultSet result) throws SQLException {
        List<SegmentRow> rows = new ArrayList<>();
        while (result.next()) {
            PixelFormat codec = PixelFormat.fromCode(result.getInt(4));
            rows.add(new SegmentRow(result.getLong(1), result.getString(2), result.getString(3),
                    codec == null ? PixelFormat.NONE : codec, result.getInt(5), result.getInt(6), result.getLong(7),
                    result.getLong(8), result.getLong(9), result.getLong(10), SegmentState.ofCode(result.getInt(11))));
        }
        return rows;
    }

    private IndexException failure(String what, SQLException e) {
        return new IndexException(IndexException.Reason.IO, file + ": cannot " + what + " (" + e.getMessage() + "). Check free space and"
                + " permissions of the store; if the index is damaged, move it away: recovery rebuilds it.", e);
    }
}
