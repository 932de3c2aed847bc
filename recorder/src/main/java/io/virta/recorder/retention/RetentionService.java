package io.virta.recorder.retention;

import io.virta.recorder.format.StoreLayout;
import io.virta.recorder.index.IndexException;
import io.virta.recorder.index.RecordingIndex;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;
import io.virta.recorder.store.RecordingStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Deletes a store's oldest video when a budget is reached (docs/recording.md, "Retention"; the
 * durable files: docs/recording-format.md section 10), on a thread of its own.
 *
 * <p>Each run: (1) ordinary video older than its camera's {@code maxAge}, and event video past its
 * rule's {@code keep}, goes; (2) each camera over its own {@code maxBytes} loses its oldest video;
 * (3) while the store is over its {@code maxBytes} or its disk has less than {@code keepFree} free,
 * the oldest video of all cameras goes. Within (2) and (3) all ordinary video of the scope goes, oldest
 * first, before any event video, oldest first. Never deleted: the segments being written, segments
 * that overlap a protected range, and video younger than its camera's {@code minAge}; a budget these
 * keep from being met becomes a {@link BudgetWarning}. A whole sealed segment is the unit: its file is
 * deleted, then its index row (a crash in between leaves a row without a file, which recovery drops,
 * section 6 step 2). When the protection or marks file cannot be read, a run deletes nothing and says
 * so ({@link RetentionReport#paused}).
 *
 * <p><b>Usage</b> counts a sealed segment's file size and an open segment's preallocated size, so that
 * after a run every budget is met (unless a warning says why not), and between runs it is exceeded by
 * at most the segments started since: one per camera when the recorder calls {@link #segmentsChanged}.
 *
 * <p><b>Threads:</b> the service's thread runs every {@code interval} and soon after
 * {@link #segmentsChanged}, which costs an unpark and may be called from a camera's writing thread.
 * Retention never takes a lock a camera writer waits on; it reads the index through its synchronized
 * methods in short queries (new segments in batches of {@value #BATCH}; open ones, and ids a pass found
 * skipped, one by one), keeping
 * its own picture of the store's segments in memory (about 100 bytes per segment). {@link #runNow}
 * runs a pass on the caller's thread (tests, and a "run now" command); passes never overlap.
 * <b>Clock:</b> every age decision uses the {@link InstantSource} given, against the capture times of
 * the segments. <b>Lifetime:</b> close it before the store.
 *
 * <pre>{@code
 * try (RecordingStore store = RecordingStore.open(dir, SegmentPolicy.DEFAULT);
 *      RetentionService retention = RetentionService.open(store, policy, InstantSource.system())) {
 *     retention.start();
 *     retention.marks().mark(EventMark.at("lobby", "person", Instant.now()));   // from the event hub
 *     retention.protections().add(Optional.of("lobby"), from, to, "case 118");
 *     retention.segmentsChanged();                    // when a camera sealed or started a segment
 *     status(retention.lastReport(), retention.totals());
 * }
 * }</pre>
 */
public final class RetentionService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RetentionService.class.getName());
    /** How often it runs without being told that segments changed. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    static final int BATCH = 500;
    /**
     * An id the index skipped (a segment being created while a camera with a higher id already added
     * its row, or one whose creation failed) is looked up again by id at each pass, this long.
     */
    private static final long MISSING_ID_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** More ids than this skipped at once are not one round of cameras starting segments: not looked for. */
    private static final int MAX_IDS_IN_FLIGHT = 1024;
    private static final int CAMERAS_IN_FLIGHT_AT_START = 128;
    private static final long WARNING_REPEAT_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** Marks are forgotten in batches: the marks file is rewritten when this many have expired. */
    static final int MARKS_TO_FORGET = 1024;

    /** What retention knows of one segment: about 100 bytes with its map entry. */
    private static final class Held {
        final long id;
        /** Shared by all segments of the camera. */
        final String camera;
        long startMicros;
        long endMicros;
        boolean sealed;
        long bytes;

        Held(long id, String camera) {
            this.id = id;
            this.camera = camera;
        }

        /** Section 2: where its file is, relative to the store. */
        String file() {
            return StoreLayout.relativeSegmentPath(camera, id);
        }
    }

    /** Why a sealed segment may or may not be deleted in this run. */
    private enum Standing {
        ORDINARY, EVENT, YOUNG, PROTECTED
    }

    private record Candidate(Held segment, Standing standing) {
    }

    private static final long NOT_HELD = Long.MIN_VALUE;

    private static final Comparator<Candidate> OLDEST_FIRST = Comparator
            .comparingInt((Candidate c) -> c.standing().ordinal())
            .thenComparingLong(c -> c.segment().startMicros)
            .thenComparingLong(c -> c.segment().id);

    private final Path directory;
    private final RecordingIndex index;
    /** Replaced whole by {@link #policy(RetentionPolicy)}, under {@link #passing}. */
    private volatile RetentionPolicy policy;
    private final InstantSource clock;
    private final DiskSpace disk;
    private final long intervalNanos;
    private final EventMarkLog marks;
    private final ProtectedRanges protections;
    private final Thread thread;
    private final ReentrantLock passing = new ReentrantLock();

    /** Owned by whoever holds {@link #passing}. */
    private final TreeMap<Long, Held> segments = new TreeMap<>();
    private final TreeMap<Long, Long> missingIds = new TreeMap<>();
    private long highestId;
    /** False until the first pass has read the whole index. */
    private boolean loaded;
    private final Map<String, RetentionPolicy.CameraLimits> limits = new HashMap<>();
    private final Map<String, String> cameraNames = new HashMap<>();
    private final Map<String, long[]> cameraTotals = new HashMap<>();
    private long runs;
    private long warningRuns;
    private long deleteFailures;
    private final Map<String, Long> warnedAt = new HashMap<>();
    private Optional<String> pausedBefore = Optional.empty();
    /** The notes of the last pass: a note is logged when it first appears, not at every pass. */
    private Set<String> notesBefore = Set.of();

    private volatile boolean running = true;
    private volatile boolean signalled;
    private volatile RetentionReport lastReport;
    private volatile RetentionTotals totals = new RetentionTotals(0, 0, 0, Map.of(), 0, 0);

    private RetentionService(Path directory, RecordingIndex index, RetentionPolicy policy, InstantSource clock,
                             DiskSpace disk, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("retention interval " + interval + " must be positive");
        }
        this.directory = directory;
        this.index = index;
        this.policy = policy;
        this.clock = clock;
        this.disk = disk;
        this.intervalNanos = interval.toNanos();
        this.marks = EventMarkLog.open(directory);
        this.protections = ProtectedRanges.open(directory, clock);
        this.lastReport = RetentionReport.none(clock.instant());
        this.thread = Thread.ofPlatform().name("retention-" + directory).daemon(true)
                .unstarted(this::loop);
    }

    /**
     * Retention of {@code store} by {@code policy}, every {@link #DEFAULT_INTERVAL}, against the disk's
     * real free space. Reads the marks and protection files (no thread yet).
     */
    public static RetentionService open(RecordingStore store, RetentionPolicy policy, InstantSource clock) {
        return open(store, policy, clock, DiskSpace.FILE_STORE, DEFAULT_INTERVAL);
    }

    /** As {@link #open(RecordingStore, RetentionPolicy, InstantSource)}, with the disk and interval given. */
    public static RetentionService open(RecordingStore store, RetentionPolicy policy, InstantSource clock,
                                        DiskSpace disk, Duration interval) {
        return new RetentionService(store.directory(), store.index(), policy, clock, disk, interval);
    }

    /** Starts the service's thread; its first run is at once. */
    public void start() {
        thread.start();
    }

    /**
     * Tells retention that a camera sealed or started a segment, so that it runs soon: costs an unpark,
     * takes no lock, never blocks; safe from any thread.
     */
    public void segmentsChanged() {
        signalled = true;
        LockSupport.unpark(thread);
    }

    private void loop() {
        while (running) {
            try {
                runNow();
            } catch (RuntimeException unexpected) {
                LOG.log(Level.SEVERE, "retention of store " + directory + " failed; it tries again in "
                        + Duration.ofNanos(intervalNanos), unexpected);
            }
            if (!signalled && running) {
                LockSupport.parkNanos(this, intervalNanos);
            }
            signalled = false;
        }
    }

    /**
     * Runs one pass now on this thread (after any pass in progress) and returns its report.
     *
     * @throws IndexException when the index refuses a query (its message names the file)
     */
    public RetentionReport runNow() {
        passing.lock();
        try {
            RetentionReport report = pass();
            lastReport = report;
            return report;
        } finally {
            passing.unlock();
        }
    }

    public RetentionReport lastReport() {
        return lastReport;
    }

    public RetentionTotals totals() {
        return totals;
    }

    /** Where the event hub's marks go; durable in the store. */
    public EventMarkLog marks() {
        return marks;
    }

    /** The store's evidence locks: add, list, remove. */
    public ProtectedRanges protections() {
        return protections;
    }

    public RetentionPolicy policy() {
        return policy;
    }

    /**
     * Replaces the policy (a camera added at runtime with budgets of its own): the next pass, which this
     * starts soon, applies it. Waits for a pass in progress; never for a camera writer.
     */
    public void policy(RetentionPolicy next) {
        passing.lock();
        try {
            policy = next;
            limits.clear();
        } finally {
            passing.unlock();
        }
        segmentsChanged();
    }

    /** Stops the thread (after the pass in progress); deletes nothing more. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- one pass ----

    private RetentionReport pass() {
        Instant at = clock.instant();
        long now = RetentionLines.micros(at);
        refresh();
        marks.reloadIfChanged();
        protections.reloadIfChanged();
        List<String> notes = new ArrayList<>();
        if (marks.damagedLines() > 0) {
            notes.add(marks.file() + ": " + marks.damagedLines() + " damaged lines were skipped; the events they"
                    + " marked no longer extend retention");
        }
        Map<String, Long> cameraBytes = new HashMap<>();
        long storeBytes = 0;
        for (Held held : segments.values()) {
            cameraBytes.merge(held.camera, held.bytes, Long::sum);
            storeBytes += held.bytes;
        }
        OptionalLong usable = usableSpace(notes);
        Optional<String> paused = protections.unusable().or(marks::unusable);
        List<Deletion> deleted = new ArrayList<>();
        List<BudgetWarning> warnings = new ArrayList<>();
        if (paused.isEmpty()) {
            Pass pass = new Pass(now, cameraBytes, storeBytes, usable, deleted, notes);
            pass.run();
            storeBytes = pass.storeBytes;
            usable = pass.usable;
            warnings.addAll(pass.warnings());
            forgetOldMarks(now, notes);
        }
        RetentionReport report = new RetentionReport(at, deleted, warnings, paused, notes, cameraBytes, storeBytes,
                usable);
        account(report);
        return report;
    }

    private OptionalLong usableSpace(List<String> notes) {
        if (policy.keepFree() == 0) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(disk.usableBytes(directory));
        } catch (IOException e) {
            notes.add(directory + ": cannot read the disk's free space (" + e.getMessage() + "); keepFree is not"
                    + " enforced in this run");
            return OptionalLong.empty();
        }
    }

    private void forgetOldMarks(long now, List<String> notes) {
        long horizon = policy.markHorizonMicros();
        try {
            marks.forgetEndedBefore(RetentionPolicy.saturatedAdd(now, -horizon), MARKS_TO_FORGET);
        } catch (IOException e) {
            notes.add(marks.file() + ": cannot rewrite it without its expired marks (" + e.getMessage() + ")");
        }
    }

    /**
     * Brings the picture of the store up to date: segments the index got since the last pass (ids it
     * skipped meanwhile are looked for again, a camera may have taken an id before a slow
     * preallocation), and the open ones' progress.
     */
    private void refresh() {
        long now = System.nanoTime();
        while (true) {
            List<SegmentRow> rows = index.segmentsFrom(highestId + 1, BATCH);
            for (SegmentRow row : rows) {
                if (loaded && row.id() - highestId <= MAX_IDS_IN_FLIGHT) {
                    for (long skipped = highestId + 1; skipped < row.id(); skipped++) {
                        missingIds.put(skipped, now);
                    }
                }
                highestId = row.id();
                adopt(row);
            }
            if (rows.size() < BATCH) {
                break;
            }
        }
        if (!loaded) {
            // Ids just below the highest may belong to segments still being created when the store opened.
            for (long id = Math.max(1, highestId - CAMERAS_IN_FLIGHT_AT_START); id < highestId; id++) {
                if (!segments.containsKey(id)) {
                    missingIds.put(id, now);
                }
            }
            loaded = true;
        }
        for (Long id : List.copyOf(missingIds.keySet())) {
            Optional<SegmentRow> row = index.segment(id);
            if (row.isPresent()) {
                missingIds.remove(id);
                adopt(row.get());
            }
        }
        missingIds.values().removeIf(since -> now - since > MISSING_ID_NANOS);
        List<Held> open = segments.values().stream().filter(h -> !h.sealed).toList();
        for (Held held : open) {
            Optional<SegmentRow> row = index.segment(held.id);
            if (row.isEmpty()) {
                segments.remove(held.id); // recovery or a person removed it
            } else {
                update(held, row.get());
            }
        }
    }

    private void adopt(SegmentRow row) {
        Held held = new Held(row.id(), cameraNames.computeIfAbsent(row.camera(), name -> name));
        segments.put(held.id, held);
        update(held, row);
    }

    /** Sealed segments are measured once, when they are first seen sealed; open ones at every pass. */
    private void update(Held held, SegmentRow row) {
        boolean wasSealed = held.sealed;
        held.startMicros = row.startMicros();
        held.endMicros = row.endMicros();
        held.sealed = row.state() == SegmentState.SEALED;
        if (!wasSealed) {
            try {
                held.bytes = Files.size(directory.resolve(row.file()));
            } catch (IOException gone) {
                // Not made yet (a row is added after its file, so rarely) or deleted by hand: it takes no space.
                held.bytes = 0;
            }
        }
    }

    private RetentionPolicy.CameraLimits limitsOf(String camera) {
        return limits.computeIfAbsent(camera, policy::limitsOf);
    }

    /** The work of one pass that deletes: its state lives as long as the pass. */
    private final class Pass {
        final long now;
        final Map<String, Long> cameraBytes;
        long storeBytes;
        OptionalLong usable;
        final List<Deletion> deleted;
        final List<String> notes;
        final List<ProtectedRange> ranges = protections.list();
        final List<EventMark> markSnapshot = marks.marks();
        final Map<String, List<Candidate>> byCamera = new HashMap<>();
        final List<Candidate> all = new ArrayList<>();
        final Set<Long> gone = new HashSet<>();

        Pass(long now, Map<String, Long> cameraBytes, long storeBytes, OptionalLong usable, List<Deletion> deleted,
             List<String> notes) {
            this.now = now;
            this.cameraBytes = cameraBytes;
            this.storeBytes = storeBytes;
            this.usable = usable;
            this.deleted = deleted;
            this.notes = notes;
        }

        void run() {
            Map<String, Map<Long, Long>> eventHeld = eventHeldUntil(markSnapshot);
            for (Held held : segments.values()) {
                if (!held.sealed) {
                    continue;
                }
                Candidate candidate = new Candidate(held, standing(held, eventHeld));
                byCamera.computeIfAbsent(held.camera, c -> new ArrayList<>()).add(candidate);
                all.add(candidate);
            }
            all.sort(OLDEST_FIRST);
            byCamera.values().forEach(list -> list.sort(OLDEST_FIRST));
            // (1) Age: ordinary video past maxAge; event video only once its keep has passed too.
            for (Candidate candidate : all) {
                Held held = candidate.segment();
                if (candidate.standing() == Standing.ORDINARY
                        && now - held.endMicros >= limitsOf(held.camera).maxAgeMicros()) {
                    delete(candidate, DeletionReason.MAX_AGE);
                }
            }
            // (2) Each camera's own budget.
            for (Map.Entry<String, List<Candidate>> camera : byCamera.entrySet()) {
                long budget = limitsOf(camera.getKey()).maxBytes();
                for (Candidate candidate : camera.getValue()) {
                    if (cameraBytes.getOrDefault(camera.getKey(), 0L) <= budget) {
                        break;
                    }
                    delete(candidate, DeletionReason.CAMERA_BUDGET);
                }
            }
            // (3) The store's budget and the disk's free space, over all cameras.
            for (Candidate candidate : all) {
                if (storeBytes > policy.maxBytes()) {
                    delete(candidate, DeletionReason.STORE_BUDGET);
                } else if (usable.isPresent() && usable.getAsLong() < policy.keepFree()) {
                    delete(candidate, DeletionReason.KEEP_FREE);
                } else {
                    break;
                }
            }
        }

        private Standing standing(Held held, Map<String, Map<Long, Long>> eventHeld) {
            for (ProtectedRange range : ranges) {
                if (range.covers(held.camera, held.startMicros, held.endMicros)) {
                    return Standing.PROTECTED;
                }
            }
            if (now - held.endMicros < limitsOf(held.camera).minAgeMicros()) {
                return Standing.YOUNG;
            }
            long until = eventHeld.getOrDefault(held.camera, Map.of()).getOrDefault(held.id, Long.MIN_VALUE);
            return now < until ? Standing.EVENT : Standing.ORDINARY;
        }

        /**
         * For each camera, the segments that overlap a window of a mark whose label has a rule, and
         * until when that holds them: their end plus the longest keep among those marks.
         */
        private Map<String, Map<Long, Long>> eventHeldUntil(List<EventMark> snapshot) {
            Map<String, Map<Long, Long>> held = new HashMap<>();
            if (snapshot.isEmpty()) {
                return held;
            }
            Map<String, List<Held>> sealedByStart = new HashMap<>();
            for (Held segment : segments.values()) {
                if (segment.sealed) {
                    sealedByStart.computeIfAbsent(segment.camera, c -> new ArrayList<>()).add(segment);
                }
            }
            sealedByStart.values().forEach(list -> list.sort(Comparator.comparingLong(h -> h.startMicros)));
            for (EventMark mark : snapshot) {
                List<Held> camera = sealedByStart.get(mark.camera());
                EventRule rule = limitsOf(mark.camera()).rules().get(mark.label());
                if (rule == null || camera == null) {
                    continue;
                }
                // Segments are at most an hour long (section 5.3): none that starts earlier reaches the window.
                long from = RetentionPolicy.saturatedAdd(mark.startMicros(), -RetentionPolicy.micros(rule.pre()));
                int first = firstStartingAtOrAfter(camera,
                        RetentionPolicy.saturatedAdd(from, -StoreLayout.MAX_SEGMENT_MICROS));
                for (int i = first; i < camera.size(); i++) {
                    Held segment = camera.get(i);
                    long until = holdsUntil(mark, segment);
                    if (until == NOT_HELD && segment.startMicros > mark.endMicros()
                            && segment.startMicros - mark.endMicros() > RetentionPolicy.micros(rule.post())) {
                        break;
                    }
                    if (until != NOT_HELD) {
                        held.computeIfAbsent(mark.camera(), c -> new HashMap<>()).merge(segment.id, until, Math::max);
                    }
                }
            }
            return held;
        }

        /**
         * Until when {@code mark} holds {@code segment}: its end plus the keep of the mark's rule, if the
         * segment overlaps the mark's window {@code [start - pre, end + post]}; else {@link #NOT_HELD}.
         */
        private long holdsUntil(EventMark mark, Held segment) {
            EventRule rule = limitsOf(mark.camera()).rules().get(mark.label());
            if (rule == null || !mark.camera().equals(segment.camera)) {
                return NOT_HELD;
            }
            long from = RetentionPolicy.saturatedAdd(mark.startMicros(), -RetentionPolicy.micros(rule.pre()));
            long to = RetentionPolicy.saturatedAdd(mark.endMicros(), RetentionPolicy.micros(rule.post()));
            if (segment.startMicros > to || segment.endMicros < from) {
                return NOT_HELD;
            }
            return RetentionPolicy.saturatedAdd(segment.endMicros, RetentionPolicy.micros(rule.keep()));
        }

        private static int firstStartingAtOrAfter(List<Held> byStart, long micros) {
            int low = 0;
            int high = byStart.size();
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (byStart.get(middle).startMicros < micros) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            return low;
        }

        /**
         * Deletes one candidate if it may go: the file, then the index row. Protections and marks that
         * arrived during the pass are checked under their locks, which {@link ProtectedRanges#add} and
         * {@link EventMarkLog#mark} take too, so one that returned before is never overrun.
         */
        private void delete(Candidate candidate, DeletionReason reason) {
            Held held = candidate.segment();
            if (gone.contains(held.id) || candidate.standing() == Standing.YOUNG
                    || candidate.standing() == Standing.PROTECTED) {
                return;
            }
            synchronized (protections) {
                synchronized (marks) {
                    if (!mayStillGo(candidate)) {
                        return;
                    }
                    try {
                        Files.delete(directory.resolve(held.file()));
                    } catch (NoSuchFileException already) {
                        notes.add(directory.resolve(held.file()) + ": already gone (deleted by hand?); its row is dropped");
                    } catch (IOException refused) {
                        deleteFailures++;
                        gone.add(held.id); // not again in this pass
                        notes.add(directory.resolve(held.file()) + ": cannot delete it (" + refused.getMessage()
                                + "); check the store's permissions and the disk");
                        return;
                    }
                }
            }
            gone.add(held.id);
            index.removeSegment(held.id);
            segments.remove(held.id);
            cameraBytes.merge(held.camera, -held.bytes, Long::sum);
            storeBytes -= held.bytes;
            if (usable.isPresent()) {
                usable = OptionalLong.of(usable.getAsLong() + held.bytes);
            }
            deleted.add(new Deletion(held.camera, held.id, held.startMicros, held.endMicros, held.bytes, reason,
                    candidate.standing() == Standing.EVENT));
        }

        /** Section 10: a range added or a mark made since the pass began may hold the segment now. */
        private boolean mayStillGo(Candidate candidate) {
            Held held = candidate.segment();
            for (ProtectedRange range : protections.list()) {
                if (range.covers(held.camera, held.startMicros, held.endMicros)) {
                    return false;
                }
            }
            if (protections.unusable().isPresent() || marks.unusable().isPresent()) {
                return false;
            }
            List<EventMark> current = marks.marks();
            if (current != markSnapshot && candidate.standing() == Standing.ORDINARY) {
                for (EventMark mark : current) {
                    if (now < holdsUntil(mark, held)) {
                        return false; // event video now: the next pass ranks it as such
                    }
                }
            }
            return true;
        }

        /** The budgets still missed after the pass, and what kept them from being met. */
        List<BudgetWarning> warnings() {
            List<BudgetWarning> warnings = new ArrayList<>();
            for (String camera : cameraBytes.keySet()) {
                long budget = limitsOf(camera).maxBytes();
                long bytes = cameraBytes.get(camera);
                if (bytes > budget) {
                    warnings.add(warning(Budget.CAMERA_MAX_BYTES, camera, budget, bytes - budget, camera));
                }
            }
            if (storeBytes > policy.maxBytes()) {
                warnings.add(warning(Budget.STORE_MAX_BYTES, directory.toString(), policy.maxBytes(),
                        storeBytes - policy.maxBytes(), null));
            }
            if (usable.isPresent() && usable.getAsLong() < policy.keepFree()) {
                warnings.add(warning(Budget.KEEP_FREE, directory.toString(), policy.keepFree(),
                        policy.keepFree() - usable.getAsLong(), null));
            }
            return warnings;
        }

        private BudgetWarning warning(Budget budget, String scope, long limit, long excess, String onlyCamera) {
            long young = 0;
            long locked = 0;
            long open = 0;
            for (Held held : segments.values()) {
                if (onlyCamera != null && !onlyCamera.equals(held.camera)) {
                    continue;
                }
                if (!held.sealed) {
                    open += held.bytes;
                    continue;
                }
                boolean isProtected = ranges.stream().anyMatch(r -> r.covers(held.camera, held.startMicros, held.endMicros));
                if (isProtected) {
                    locked += held.bytes;
                } else if (now - held.endMicros < limitsOf(held.camera).minAgeMicros()) {
                    young += held.bytes;
                }
            }
            return new BudgetWarning(budget, scope, limit, excess, young, locked, open);
        }
    }

    /** Totals, and the log: a warning when it starts, changes or has lasted 10 minutes; deletions at FINE. */
    private void account(RetentionReport report) {
        runs++;
        for (Deletion deletion : report.deleted()) {
            long[] camera = cameraTotals.computeIfAbsent(deletion.camera(), c -> new long[2]);
            camera[0]++;
            camera[1] += deletion.bytes();
        }
        if (!report.healthy()) {
            warningRuns++;
        }
        Map<String, RetentionTotals.CameraTotals> cameras = new HashMap<>();
        long segmentsDeleted = 0;
        long bytesDeleted = 0;
        for (Map.Entry<String, long[]> camera : cameraTotals.entrySet()) {
            cameras.put(camera.getKey(), new RetentionTotals.CameraTotals(camera.getValue()[0], camera.getValue()[1]));
            segmentsDeleted += camera.getValue()[0];
            bytesDeleted += camera.getValue()[1];
        }
        totals = new RetentionTotals(runs, segmentsDeleted, bytesDeleted, cameras, warningRuns, deleteFailures);

        if (!report.paused().equals(pausedBefore)) {
            report.paused().ifPresentOrElse(why -> LOG.severe("retention of store " + directory + " deletes nothing: " + why),
                    () -> LOG.info("retention of store " + directory + " deletes again"));
            pausedBefore = report.paused();
        }
        long nanos = System.nanoTime();
        Set<String> current = new HashSet<>();
        for (BudgetWarning warning : report.warnings()) {
            String key = warning.budget() + " " + warning.scope();
            current.add(key);
            Long last = warnedAt.get(key);
            if (last == null || nanos - last > WARNING_REPEAT_NANOS) {
                LOG.warning("retention: " + warning.message());
                warnedAt.put(key, nanos);
            }
        }
        warnedAt.keySet().retainAll(current);
        for (String note : report.notes()) {
            if (!notesBefore.contains(note)) {
                LOG.warning("retention: " + note);
            }
        }
        notesBefore = Set.copyOf(report.notes());
        if (!report.deleted().isEmpty() && LOG.isLoggable(Level.FINE)) {
            LOG.fine("retention of store " + directory + " deleted " + report.deleted().size() + " segments");
        }
    }
}
