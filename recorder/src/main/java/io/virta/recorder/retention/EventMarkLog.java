package io.virta.recorder.retention;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The store's event marks, durable in {@code STORE/event-marks.txt} (docs/recording-format.md
 * section 10.1): an append-only text file, one line per mark, forced to the disk before
 * {@link #mark} returns. The index cannot hold them: it is a cache rebuilt from the segment files.
 *
 * <p><b>Threads:</b> {@link #mark} may be called from any thread (the event hub's); it is synchronized,
 * and so is retention's last check before it deletes a segment, so a mark that returned is seen by
 * every deletion after it. {@link #marks} is a lock-free snapshot. <b>Hostile input:</b> a damaged
 * line is skipped and counted ({@link #damagedLines}); a torn last line (a crash during an append,
 * which was never acknowledged) is cut off on open; a file of another version or that cannot be
 * read makes {@link #unusable} say why, and retention deletes nothing until it is readable.
 * <b>Lifetime:</b> only the process that holds the store's lock (section 2.1) opens it.
 *
 * <pre>{@code
 * EventMarkLog marks = EventMarkLog.open(store.directory());
 * marks.mark(EventMark.at("lobby", "person", Instant.now()));
 * }</pre>
 */
public final class EventMarkLog implements EventMarks {
    public static final String FILE = "event-marks.txt";
    static final String HEADER = "virta-event-marks 1";
    private static final int FIELDS = 4;

    /**
     * What a reading of the file found.
     *
     * @param marks         the intact marks, in file order
     * @param damagedLines  complete lines that are not intact marks (skipped)
     * @param tornTailBytes bytes after the last newline: an append a crash interrupted
     * @param unusable      why the file cannot be used at all (another version, no header), if so
     */
    record Parsed(List<EventMark> marks, int damagedLines, int tornTailBytes, Optional<String> unusable) {
    }

    private final Path file;
    private volatile List<EventMark> marks = List.of();
    private volatile int damagedLines;
    private volatile Optional<String> unusable = Optional.empty();
    /** The version of the file last read or written: another means it was changed by hand. */
    private Optional<List<Object>> stamp = Optional.empty();

    private EventMarkLog(Path file) {
        this.file = file;
    }

    /**
     * Reads the marks of the store in {@code storeDirectory}; the file is made by the first mark. A
     * file that cannot be read leaves the log {@link #unusable} rather than failing, so that the
     * recorder still records (retention then pauses deleting, and says why).
     */
    public static EventMarkLog open(Path storeDirectory) {
        EventMarkLog log = new EventMarkLog(storeDirectory.resolve(FILE));
        synchronized (log) {
            log.load();
        }
        return log;
    }

    private void load() {
        byte[] bytes;
        try {
            bytes = RetentionLines.readIfPresent(file).orElse(new byte[0]);
        } catch (IOException e) {
            unusable = Optional.of(file + ": cannot be read (" + e.getMessage() + "); check the disk and the file's"
                    + " permissions");
            return;
        }
        Parsed parsed = parse(bytes);
        marks = parsed.marks();
        damagedLines = parsed.damagedLines();
        unusable = parsed.unusable();
        if (unusable.isEmpty() && parsed.tornTailBytes() > 0) {
            try {
                if (parsed.tornTailBytes() == bytes.length) {
                    Files.delete(file); // not even the header was whole; the next mark writes a new file
                } else {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        channel.truncate(bytes.length - parsed.tornTailBytes());
                        channel.force(true);
                    }
                }
            } catch (IOException e) {
                unusable = Optional.of(file + ": cannot cut the torn last line (" + e.getMessage()
                        + "); check the disk and the file's permissions");
            }
        }
        stamp = RetentionLines.stamp(file);
    }

    /** Section 10.1, for reading: never throws on any bytes. */
    static Parsed parse(byte[] bytes) {
        if (bytes.length == 0) {
            return new Parsed(List.of(), 0, 0, Optional.empty());
        }
        int headerEnd = indexOf(bytes, 0);
        if (headerEnd < 0) {
            return new Parsed(List.of(), 0, bytes.length, Optional.empty());
        }
        String header = new String(bytes, 0, headerEnd, StandardCharsets.ISO_8859_1);
        if (!header.equals(HEADER)) {
            return new Parsed(List.of(), 0, 0, Optional.of("its first line is '" + printable(header) + "', not '"
                    + HEADER + "' (another Virta version, or not a marks file); retention deletes nothing until it is"
                    + " fixed or moved aside"));
        }
        List<EventMark> found = new ArrayList<>();
        int damaged = 0;
        int start = headerEnd + 1;
        while (start < bytes.length) {
            int end = indexOf(bytes, start);
            if (end < 0) {
                return new Parsed(List.copyOf(found), damaged, bytes.length - start, Optional.empty());
            }
            Optional<EventMark> mark = parseLine(bytes, start, end);
            if (mark.isPresent()) {
                found.add(mark.get());
            } else {
                damaged++;
            }
            start = end + 1;
        }
        return new Parsed(List.copyOf(found), damaged, 0, Optional.empty());
    }

    private static Optional<EventMark> parseLine(byte[] bytes, int from, int to) {
        Optional<String[]> fields = RetentionLines.fields(bytes, from, to, FIELDS);
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        String[] f = fields.get();
        Optional<String> label = RetentionLines.decodeText(f[1]);
        Optional<Long> start = RetentionLines.decimal(f[2]);
        Optional<Long> end = RetentionLines.decimal(f[3]);
        if (label.isEmpty() || start.isEmpty() || end.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new EventMark(f[0], label.get(), RetentionLines.instant(start.get()),
                    RetentionLines.instant(end.get())));
        } catch (IllegalArgumentException | java.time.DateTimeException | io.virta.bus.InvalidChannelNameException invalid) {
            return Optional.empty();
        }
    }

    /** The line of one mark, newline included (section 10.1). */
    static String line(EventMark mark) {
        return RetentionLines.line(mark.camera() + " " + RetentionLines.encodeText(mark.label()) + " "
                + mark.startMicros() + " " + mark.endMicros());
    }

    static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    static String printable(String text) {
        String cut = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7E]", "?");
    }

    @Override
    public synchronized void mark(EventMark mark) throws IOException {
        if (unusable.isPresent()) {
            load();
            if (unusable.isPresent()) {
                throw new IOException(file + ": " + unusable.get() + "; the " + mark.label() + " mark of camera "
                        + mark.camera() + " was not kept");
            }
        }
        byte[] line = line(mark).getBytes(StandardCharsets.US_ASCII);
        if (!Files.exists(file)) {
            RetentionLines.writeAtomically(file, (HEADER + "\n" + new String(line, StandardCharsets.US_ASCII))
                    .getBytes(StandardCharsets.US_ASCII));
        } else {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(false);
            }
        }
        stamp = RetentionLines.stamp(file);
        List<EventMark> next = new ArrayList<>(marks);
        next.add(mark);
        marks = List.copyOf(next);
    }

    /**
     * Rewrites the file without the marks that ended before {@code horizonMicros} (they can hold no
     * video any more), when at least {@code minimumDropped} of them and half the file can go; section
     * 10.1, compaction. Damaged lines go with them.
     *
     * @return the number of marks dropped, 0 when it did not rewrite
     */
    synchronized int forgetEndedBefore(long horizonMicros, int minimumDropped) throws IOException {
        if (unusable.isPresent()) {
            return 0;
        }
        List<EventMark> all = marks;
        List<EventMark> live = all.stream().filter(m -> m.endMicros() >= horizonMicros).toList();
        int dropped = all.size() - live.size();
        if (dropped < minimumDropped || dropped * 2 < all.size()) {
            return 0;
        }
        StringBuilder content = new StringBuilder(HEADER).append('\n');
        for (EventMark mark : live) {
            content.append(line(mark));
        }
        RetentionLines.writeAtomically(file, content.toString().getBytes(StandardCharsets.US_ASCII));
        stamp = RetentionLines.stamp(file);
        marks = live;
        damagedLines = 0;
        return dropped;
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

    /** The intact marks, oldest appended first; an immutable snapshot. */
    public List<EventMark> marks() {
        return marks;
    }

    /** Lines that were skipped as damaged when the file was read. */
    public int damagedLines() {
        return damagedLines;
    }

    /** Why the file cannot be used, if it cannot: retention then deletes nothing. */
    public Optional<String> unusable() {
        return unusable.map(reason -> reason.startsWith(file.toString()) ? reason : file + ": " + reason);
    }

    public Path file() {
        return file;
    }
}
