package io.virta.hub.journal;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import io.virta.protos.events.v1.Event;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The hub's durable event log: a Chronicle Queue in one directory, one file per hour of journal time
 * ({@code 20261124-19F.cq4}).
 *
 * <p><b>Ids.</b> An event's id is its Chronicle index: the hour (cycle) in the high bits, the event's
 * sequence number within that hour in the low 32. Ids therefore increase with every event, across
 * restarts and crashes, with no counter of our own to lose; they are dense within an hour and jump
 * at each hour boundary. The id is known while the entry is being written, so it is stored inside
 * the entry and a read needs no fix-up.
 *
 * <p><b>Entries.</b> {@code [format byte 1][journal time µs][capture time µs][Event protobuf]}, the
 * Event with {@code id} and {@code journal_time_micros} set (appended to the reported event's bytes:
 * protobuf takes the last value of a field). The two times up front let readers skip entries and
 * binary-search without parsing protobuf.
 *
 * <p><b>One writer.</b> A journal directory belongs to one hub at a time: a lock file
 * ({@value #LOCK_FILE}) refuses a second one. The kernel drops the lock when the process dies, however
 * it dies.
 *
 * <p><b>Journal time</b> never decreases ({@link JournalClock}): entries are sorted by journal time, so
 * {@link JournalReader#seekJournalTime} can bisect, and a wall clock stepping back cannot send an entry
 * into an older hour file with smaller ids.
 *
 * <p><b>File modes.</b> The directory is 0700 and its files 0600, or 0770/0660 with a group
 * ({@code events.journalGroup}): the directory's before anything is in it, each hour file's at the
 * first append into it ({@link JournalFiles}).
 *
 * <p><b>Durability.</b> Entries are written into memory-mapped files: they survive a crash or SIGKILL
 * of this process (the kernel owns the pages), not a power cut before the kernel writes them back.
 *
 * <p>Appends are serialized by this object's monitor; each {@link JournalReader} is for one thread at
 * a time.
 */
public final class EventJournal implements AutoCloseable {
    /** One file per hour: retention deletes whole hours. */
    public static final RollCycle ROLL_CYCLE = RollCycles.FAST_HOURLY;
    /**
     * Files grow in steps of this size (sparse). Chronicle limits an entry to a quarter of it (1 MiB),
     * several times the largest event the validator lets through (about 160 KiB).
     */
    public static final long BLOCK_SIZE = 4L * 1024 * 1024;
    static final byte FORMAT = 1;
    /** Event.id (field 7) and Event.journal_time_micros (field 8), both varints. */
    private static final long ID_TAG = 7 << 3;
    private static final long JOURNAL_TIME_TAG = 8 << 3;
    private static final int MAX_VARINT_BYTES = 10;
    static final String SUFFIX = ".cq4";
    static final String LOCK_FILE = "virta-hub.lock";
    private static final Logger LOG = Logger.getLogger(EventJournal.class.getName());
    /**
     * Chronicle reports at INFO each file it maps or grows; that is noise in a daemon's output.
     * Held here because java.util.logging keeps loggers only weakly.
     */
    private static final Logger CHRONICLE_LOG = Logger.getLogger("net.openhft");

    static {
        quietChronicleLogging();
    }

    /**
     * Chronicle's INFO records (its version, each file mapped) are left out; warnings still show. Its
     * analytics and announcer stay off even in a JVM started without Virta's flags (they are read when
     * Chronicle loads). Done when this class loads; call it first where Chronicle is used without a journal.
     */
    public static void quietChronicleLogging() {
        if (CHRONICLE_LOG.getLevel() == null) {
            CHRONICLE_LOG.setLevel(Level.WARNING);
        }
        for (String property : new String[] {"chronicle.analytics.disable", "chronicle.announcer.disable"}) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, "true");
            }
        }
    }

    private final Path directory;
    private final JournalClock clock;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final DateTimeFormatter cycleFileNames;
    private byte[] scratch = new byte[4096];
    private volatile long lastId;
    private long lastJournalMicros;
    /** The id the next entry gets if it stays in the newest hour file; -1: ask Chronicle. */
    private long nextId = -1;
    private final FileChannel lock;
    private final JournalFiles modes;
    /** The hour whose file has its mode; an append into another hour sets the mode of that hour's file. */
    private int restrictedCycle = Integer.MIN_VALUE;
    private boolean closed;

    private EventJournal(Path directory, JournalClock clock, SingleChronicleQueue queue, FileChannel lock,
            JournalFiles modes) {
        this.directory = directory;
        this.modes = modes;
        this.lock = lock;
        this.clock = clock;
        this.queue = queue;
        this.appender = queue.createAppender();
        // Appends come from whichever gRPC thread holds the monitor; Chronicle's owner-thread check would object.
        appender.singleThreadedCheckDisabled(true);
        this.cycleFileNames = new DateTimeFormatterBuilder().appendPattern(ROLL_CYCLE.format())
                .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0).toFormatter().withZone(ZoneOffset.UTC);
        long[] last = lastEntry();
        this.lastId = last[0];
        this.lastJournalMicros = last[1];
        clock.notBefore(last[1]);
    }

    /**
     * Opens the journal in {@code directory}, creating it if needed, with journal time from the system
     * clock.
     *
     * @throws JournalException naming the directory and what went wrong
     */
    public static EventJournal open(Path directory) {
        return open(directory, io.virta.bus.Clock::epochMicros);
    }

    /** As {@link #open(Path)}, with journal time (and the hour files it picks) from {@code clockMicros}. */
    public static EventJournal open(Path directory, LongSupplier clockMicros) {
        return open(directory, clockMicros, null);
    }

    /**
     * As {@link #open(Path, LongSupplier)}; the directory and its files are the owner's only (0700 and
     * 0600), or also {@code group}'s (0770 and 0660) when it is not null.
     */
    public static EventJournal open(Path directory, LongSupplier clockMicros, String group) {
        JournalFiles modes = new JournalFiles(directory, group);
        try {
            modes.prepareDirectory(directory);
        } catch (IOException e) {
            throw new JournalException("event journal " + directory + ": cannot create the directory: " + e
                    + "; give a writable directory", e);
        }
        if (!Files.isWritable(directory)) {
            throw new JournalException("event journal " + directory + ": the directory is not writable; give a"
                    + " writable directory");
        }
        FileChannel lock = lock(directory, modes);
        JournalClock time = new JournalClock(clockMicros);
        SingleChronicleQueue queue;
        try {
            queue = SingleChronicleQueueBuilder.binary(directory).rollCycle(ROLL_CYCLE).blockSize(BLOCK_SIZE)
                    .timeProvider(time).build();
        } catch (RuntimeException e) {
            closeQuietly(lock);
            throw new JournalException("event journal " + directory + ": cannot open it as a Chronicle queue: " + e
                    + "; is it another program's directory?", e);
        }
        // What Chronicle made while building (its metadata file), and what an earlier run left with other modes.
        try (Stream<Path> files = Files.list(directory)) {
            files.filter(Files::isRegularFile).forEach(file -> restrictQuietly(modes, file));
        } catch (IOException e) {
            LOG.warning("event journal " + directory + ": cannot list it to set its files' modes: " + e);
        }
        try {
            return new EventJournal(directory, time, queue, lock, modes);
        } catch (RuntimeException e) {
            queue.close();
            closeQuietly(lock);
            throw new JournalException("event journal " + directory + ": cannot read its last entry: " + e, e);
        }
    }

    /**
     * Gives a journal file its mode. On failure (a file of another owner in the directory)
     * the journal goes on: the directory's own mode still keeps others out. Logged.
     */
    private static void restrictQuietly(JournalFiles modes, Path file) {
        try {
            modes.restrictFile(file);
        } catch (IOException | RuntimeException e) {
            LOG.warning("event journal: cannot set the mode of " + file + ": " + e);
        }
    }

    /** Takes the directory's lock file, or says who has it. */
    private static FileChannel lock(Path directory, JournalFiles modes) {
        FileChannel channel;
        try {
            channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            modes.restrictFile(directory.resolve(LOCK_FILE));
        } catch (IOException e) {
            throw new JournalException("event journal " + directory + ": cannot create " + LOCK_FILE + ": " + e, e);
        }
        try {
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (OverlappingFileLockException | IOException e) {
            // held by this process, or locking failed: as below
        }
        closeQuietly(channel);
        throw new JournalException("event journal " + directory + " is in use by another hub (or producer); give each"
                + " hub its own journal directory");
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    public Path directory() {
        return directory;
    }

    /**
     * Journals {@code reported} (minus fields this hub does not know, and any id or journal time the
     * reporter set) with its id and journal time, and returns the id; {@link #lastJournalMicros()} tells
     * the journal time. The entry is the event's protobuf bytes with the two fields appended, so one
     * serialization, no copy of the event object.
     *
     * @throws JournalException when the entry cannot be written (disk full, journal closed)
     */
    public synchronized long append(Event reported) {
        if (closed) {
            throw new JournalException("event journal " + directory + " is closed");
        }
        Event clean = reported.getId() == 0 && reported.getJournalTimeMicros() == 0
                && reported.getUnknownFields().asMap().isEmpty() ? reported
                : reported.toBuilder().clearId().clearJournalTimeMicros()
                        .setUnknownFields(UnknownFieldSet.getDefaultInstance()).build();
        long journalMicros = clock.currentTimeMicros();
        int size = clean.getSerializedSize();
        byte[] buffer = scratch(size + 2 * (1 + MAX_VARINT_BYTES));
        DocumentContext dc = appender.writingDocument();
        long id;
        try {
            id = nextId(dc);
            clean.writeTo(CodedOutputStream.newInstance(buffer, 0, size));
            int length = writeVarint(buffer, size, ID_TAG);
            length = writeVarint(buffer, length, id);
            length = writeVarint(buffer, length, JOURNAL_TIME_TAG);
            length = writeVarint(buffer, length, journalMicros);
            dc.wire().bytes().writeByte(FORMAT).writeLong(journalMicros).writeLong(clean.getCaptureTimeMicros())
                    .write(buffer, 0, length);
        } catch (IOException | RuntimeException e) {
            nextId = -1;
            dc.rollbackOnClose();
            try {
                dc.close();
            } catch (RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw new JournalException("event journal " + directory + ": cannot write: " + e, e);
        }
        try {
            dc.close();
        } catch (RuntimeException e) {
            nextId = -1;
            throw new JournalException("event journal " + directory + ": cannot write: " + e, e);
        }
        nextId = id + 1;
        int cycle = ROLL_CYCLE.toCycle(id);
        if (cycle != restrictedCycle) {
            // Chronicle made this hour's file with the umask's mode (its own file listener runs later, on
            // a thread of its own): set it now, before the append returns.
            restrictedCycle = cycle;
            restrictQuietly(modes, appender.currentFile().toPath());
        }
        clock.notBefore(journalMicros);
        lastJournalMicros = journalMicros;
        lastId = id;
        return id;
    }

    /**
     * The id of the entry being written. Chronicle can say (the context's index), but that scans the
     * hour file from its last index point (up to 256 entries); a single writer knows it is the previous
     * id plus one, unless the entry opens a new hour file.
     */
    private long nextId(DocumentContext dc) {
        long id = nextId >= 0 && ROLL_CYCLE.toCycle(nextId) == appender.cycle() ? nextId : dc.index();
        assert id == dc.index() : "the journal's own id " + id + " differs from Chronicle's " + dc.index();
        return id;
    }

    /** Protobuf base-128 varint of {@code value} at {@code offset}; returns the offset after it. */
    private static int writeVarint(byte[] buffer, int offset, long value) {
        while ((value & ~0x7FL) != 0) {
            buffer[offset++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer[offset++] = (byte) value;
        return offset;
    }

    /** The event as subscribers receive it: stamped, without fields this hub does not know. */
    public static Event stamped(Event reported, long id, long journalMicros) {
        Event.Builder builder = reported.toBuilder().setId(id).setJournalTimeMicros(journalMicros);
        if (!reported.getUnknownFields().asMap().isEmpty()) {
            builder.setUnknownFields(UnknownFieldSet.getDefaultInstance());
        }
        return builder.build();
    }

    /** The journal time of the entry {@link #append} wrote last. */
    public synchronized long lastJournalMicros() {
        return lastJournalMicros;
    }

    private byte[] scratch(int size) {
        if (scratch.length < size) {
            scratch = new byte[Math.max(size, scratch.length * 2)];
        }
        return scratch;
    }

    /** The id of the newest entry, or -1 when the journal is empty. */
    public long lastId() {
        return lastId;
    }

    /** A reader positioned at the oldest entry. Close it when done. */
    public JournalReader reader() {
        synchronized (this) {
            if (closed) {
                throw new JournalException("event journal " + directory + " is closed");
            }
            return new JournalReader(queue, queue.createTailer());
        }
    }

    /**
     * Deletes the hour files that ended more than {@code retention} ago (by journal time). The newest
     * file is never deleted, so the ids keep increasing even after a long pause.
     *
     * @return the files deleted
     */
    public synchronized List<Path> deleteOlderThan(Duration retention) {
        if (closed) {
            return List.of();
        }
        long cutoffMillis = clock.currentTimeMillis() - retention.toMillis();
        int newestCycle = queue.lastCycle();
        List<Path> deleted = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                int cycle = cycleOf(file);
                if (cycle < 0 || cycle >= newestCycle) {
                    continue;
                }
                long cycleEndMillis = (cycle + 1L) * ROLL_CYCLE.lengthInMillis();
                if (cycleEndMillis <= cutoffMillis) {
                    Files.deleteIfExists(file);
                    deleted.add(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("event journal " + directory + ": retention: " + e, e);
        }
        if (!deleted.isEmpty()) {
            queue.refreshDirectoryListing();
            LOG.info(() -> "event journal " + directory + ": retention deleted " + deleted.size() + " hour file(s)");
        }
        return deleted;
    }

    /** The cycle (hour number since the epoch) an hour file holds, or -1 for any other file. */
    int cycleOf(Path file) {
        String name = file.getFileName().toString();
        if (!name.endsWith(SUFFIX)) {
            return -1;
        }
        try {
            long millis = LocalDateTime.parse(name.substring(0, name.length() - SUFFIX.length()), cycleFileNames)
                    .toInstant(ZoneOffset.UTC).toEpochMilli();
            return (int) Math.floorDiv(millis, ROLL_CYCLE.lengthInMillis());
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    /** {id, journal time} of the newest entry; {-1, 0} when there is none. */
    private long[] lastEntry() {
        try (ExcerptTailer tailer = queue.createTailer()) {
            tailer.direction(TailerDirection.BACKWARD).toEnd();
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return new long[] {-1, 0};
                }
                Bytes<?> bytes = dc.wire().bytes();
                long journalMicros = bytes.readRemaining() >= JournalReader.HEADER_BYTES && bytes.readByte() == FORMAT
                        ? bytes.readLong() : 0;
                return new long[] {dc.index(), journalMicros};
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        appender.close();
        queue.close();
        closeQuietly(lock);
    }
}
