package io.virta.recorder.retention;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The store's protected ranges (evidence locks), durable in {@code STORE/protected-ranges.txt}
 * (docs/recording-format.md section 10.2). Every change rewrites the whole file atomically (a
 * temporary file, forced, renamed over it, the directory forced), so a crash leaves the old list or
 * the new one, whole; when {@link #add} returns, the range is on the disk.
 *
 * <p><b>Threads:</b> all methods may be called from any thread. Changes are synchronized, and so is
 * retention's last check before it deletes a segment, so a range that {@link #add} returned is
 * respected by every deletion after it. {@link #list} is a lock-free snapshot. <b>Hostile input:</b> a
 * file that cannot be read, has a header of another version or any damaged line makes the ranges
 * unknown: {@link #unusable} says why, retention deletes nothing in the store until the file is fixed,
 * and changes are refused (they would drop the damaged line). It is read again at each retention run
 * while it is unusable or changed on the disk, so a fix by hand takes effect without a restart. <b>Lifetime:</b> only the
 * process that holds the store's lock (section 2.1) opens it.
 *
 * <pre>{@code
 * ProtectedRanges locks = ProtectedRanges.open(store.directory(), InstantSource.system());
 * ProtectedRange lock = locks.add(Optional.of("lobby"), from, to, "case 2026-118, police request");
 * locks.remove(lock.id());
 * }</pre>
 */
public final class ProtectedRanges {
    public static final String FILE = "protected-ranges.txt";
    static final String HEADER_PREFIX = "virta-protected-ranges 1 ";
    /** Section 10.2: the camera field of a range that covers every camera. */
    static final String ALL_CAMERAS = "*";
    private static final int FIELDS = 6;

    /**
     * What a reading of the file found.
     *
     * @param ranges   the intact ranges, in file order
     * @param nextId   the id the next range gets
     * @param unusable why the ranges are unknown (a damaged line or header), if they are
     */
    record Parsed(List<ProtectedRange> ranges, long nextId, Optional<String> unusable) {
    }

    private final Path file;
    private final InstantSource clock;
    private volatile List<ProtectedRange> ranges = List.of();
    private long nextId = 1;
    private volatile Optional<String> unusable = Optional.empty();
    /** The version of the file last read or written: another means it was changed by hand. */
    private Optional<List<Object>> stamp = Optional.empty();

    private ProtectedRanges(Path file, InstantSource clock) {
        this.file = file;
        this.clock = clock;
    }

    /**
     * Reads the ranges of the store in {@code storeDirectory}; no file means none. A file that cannot
     * be read leaves the ranges {@link #unusable} rather than failing.
     *
     * @param clock gives the {@code created} time of new ranges
     */
    public static ProtectedRanges open(Path storeDirectory, InstantSource clock) {
        ProtectedRanges ranges = new ProtectedRanges(storeDirectory.resolve(FILE), clock);
        synchronized (ranges) {
            ranges.load();
        }
        return ranges;
    }

    private void load() {
        stamp = RetentionLines.stamp(file);
        Optional<byte[]> bytes;
        try {
            bytes = RetentionLines.readIfPresent(file);
        } catch (IOException e) {
            unusable = Optional.of(file + ": cannot be read (" + e.getMessage() + "), so the protected ranges are"
                    + " unknown and retention deletes nothing; check the disk and the file's permissions");
            return;
        }
        Parsed parsed = bytes.map(ProtectedRanges::parse).orElse(new Parsed(List.of(), 1, Optional.empty()));
        ranges = parsed.ranges();
        nextId = parsed.nextId();
        unusable = parsed.unusable().map(why -> file + ": " + why);
    }

    /** Section 10.2, for reading: never throws on any bytes. */
    static Parsed parse(byte[] bytes) {
        int headerEnd = EventMarkLog.indexOf(bytes, 0);
        String header = new String(bytes, 0, headerEnd < 0 ? bytes.length : headerEnd, StandardCharsets.ISO_8859_1);
        Optional<Long> next = header.startsWith(HEADER_PREFIX)
                ? RetentionLines.decimal(header.substring(HEADER_PREFIX.length())) : Optional.empty();
        if (headerEnd < 0 || next.isEmpty() || next.get() < 1) {
            return new Parsed(List.of(), 1, Optional.of("its first line is '" + EventMarkLog.printable(header)
                    + "', not 'virta-protected-ranges 1 NEXTID' (another Virta version, or damaged), so the protected"
                    + " ranges are unknown and retention deletes nothing; restore the file from a backup"));
        }
        List<ProtectedRange> found = new ArrayList<>();
        long nextId = next.get();
        int start = headerEnd + 1;
        int lineNumber = 1;
        while (start < bytes.length) {
            lineNumber++;
            int end = EventMarkLog.indexOf(bytes, start);
            Optional<ProtectedRange> range = end < 0 ? Optional.empty() : parseLine(bytes, start, end);
            if (range.isEmpty() || range.get().id() >= nextId
                    || found.stream().anyMatch(r -> r.id() == range.get().id())) {
                return new Parsed(List.copyOf(found), nextId, Optional.of("line " + lineNumber + " is damaged, so the"
                        + " protected ranges are unknown and retention deletes nothing; fix or delete that line by hand"
                        + " (then add its range again) and the next retention run reads the file again"));
            }
            found.add(range.get());
            start = end + 1;
        }
        return new Parsed(List.copyOf(found), nextId, Optional.empty());
    }

    private static Optional<ProtectedRange> parseLine(byte[] bytes, int from, int to) {
        Optional<String[]> fields = RetentionLines.fields(bytes, from, to, FIELDS);
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        String[] f = fields.get();
        Optional<Long> id = RetentionLines.decimal(f[0]);
        Optional<Long> start = RetentionLines.decimal(f[2]);
        Optional<Long> end = RetentionLines.decimal(f[3]);
        Optional<Long> created = RetentionLines.decimal(f[4]);
        Optional<String> reason = RetentionLines.decodeText(f[5]);
        if (id.isEmpty() || start.isEmpty() || end.isEmpty() || created.isEmpty() || reason.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProtectedRange(id.get(), f[1].equals(ALL_CAMERAS) ? Optional.empty()
                    : Optional.of(f[1]), RetentionLines.instant(start.get()), RetentionLines.instant(end.get()),
                    reason.get(), RetentionLines.instant(created.get())));
        } catch (IllegalArgumentException | java.time.DateTimeException | io.virta.bus.InvalidChannelNameException invalid) {
            return Optional.empty();
        }
    }

    /** The whole file for {@code ranges} (section 10.2). */
    static String format(List<ProtectedRange> ranges, long nextId) {
        StringBuilder content = new StringBuilder(HEADER_PREFIX).append(nextId).append('\n');
        for (ProtectedRange range : ranges) {
            content.append(RetentionLines.line(range.id() + " " + range.camera().orElse(ALL_CAMERAS) + " "
                    + RetentionLines.micros(range.from()) + " " + RetentionLines.micros(range.to()) + " "
                    + RetentionLines.micros(range.created()) + " " + RetentionLines.encodeText(range.reason())));
        }
        return content.toString();
    }

    /**
     * Protects the video of {@code camera} (empty: every camera) over {@code [from, to]}; on the disk
     * when it returns.
     *
     * @throws IOException naming the file when it could not be written, or when the file is damaged
     *                     (a rewrite would drop the damaged line): fix it first
     */
    public synchronized ProtectedRange add(Optional<String> camera, Instant from, Instant to, String reason)
            throws IOException {
        requireUsable("add a protected range");
        if (nextId == Long.MAX_VALUE) {
            throw new IOException(file + ": its next id is the largest there is (edited by hand?); set it lower");
        }
        ProtectedRange range = new ProtectedRange(nextId, camera, from, to, reason, clock.instant());
        List<ProtectedRange> next = new ArrayList<>(ranges);
        next.add(range);
        write(next, nextId + 1);
        return range;
    }

    /**
     * Lifts protected range {@code id}; its video then ages like any other.
     *
     * @return false when there is no such range
     */
    public synchronized boolean remove(long id) throws IOException {
        requireUsable("remove protected range " + id);
        List<ProtectedRange> next = ranges.stream().filter(r -> r.id() != id).toList();
        if (next.size() == ranges.size()) {
            return false;
        }
        write(next, nextId);
        return true;
    }

    private void requireUsable(String what) throws IOException {
        if (unusable.isPresent()) {
            load();
        }
        if (unusable.isPresent()) {
            throw new IOException("cannot " + what + ": " + unusable.get());
        }
    }

    private void write(List<ProtectedRange> next, long nextIdAfter) throws IOException {
        RetentionLines.writeAtomically(file, format(next, nextIdAfter).getBytes(StandardCharsets.US_ASCII));
        stamp = RetentionLines.stamp(file);
        ranges = List.copyOf(next);
        nextId = nextIdAfter;
    }

    /**
     * Reads the file again if it was {@link #unusable} or changed on the disk since it was read or
     * written here (a person fixed or edited it): one {@code stat} when nothing changed.
     */
    synchronized void reloadIfChanged() {
        if (unusable.isPresent() || !RetentionLines.stamp(file).equals(stamp)) {
            load();
        }
    }

    /** The ranges, in the order they were added; an immutable snapshot. */
    public List<ProtectedRange> list() {
        return ranges;
    }

    /** Why the ranges are unknown, if they are: retention then deletes nothing in the store. */
    public Optional<String> unusable() {
        return unusable;
    }

    public Path file() {
        return file;
    }
}
