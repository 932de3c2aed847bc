package io.virta.hub.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.virta.protos.events.v1.Event;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Reads the journal forward, in journal order, from a position found by journal time. One thread at a
 * time (any thread); close it when done.
 */
public final class JournalReader implements AutoCloseable {
    static final int HEADER_BYTES = 1 + 8 + 8;
    /** Entries one {@link #next} call looks at before returning, so a sparse scan lets its thread serve others. */
    public static final int SCAN_BUDGET = 4096;
    private static final Logger LOG = Logger.getLogger(JournalReader.class.getName());

    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private byte[] scratch = new byte[4096];
    private boolean atEnd;
    private long unreadable;

    JournalReader(SingleChronicleQueue queue, ExcerptTailer tailer) {
        this.queue = queue;
        this.tailer = tailer;
        // A subscription's reads hop between the hub's delivery threads (one at a time).
        tailer.singleThreadedCheckDisabled(true);
    }

    /**
     * Moves to the first entry journaled at or after {@code journalMicros}, or to the end if there is
     * none. Bisects within the hour file the time falls in: O(log n) entry reads.
     */
    public JournalReader seekJournalTime(long journalMicros) {
        int cycleLength = EventJournal.ROLL_CYCLE.lengthInMillis();
        int target = (int) Math.floorDiv(Math.floorDiv(journalMicros, 1000), cycleLength);
        int first = queue.firstCycle();
        int last = queue.lastCycle();
        if (first == Integer.MAX_VALUE || last < 0 || target > last) {
            tailer.toEnd();
            return this;
        }
        // The bounds given must be existing hour files: list them all, then skip the earlier ones.
        for (long cycle : queue.listCyclesBetween(first, last)) {
            if (cycle < target) {
                continue;
            }
            long count = tailer.excerptsInCycle((int) cycle);
            long lo = 0;
            long hi = Math.max(count, 0);
            while (lo < hi) {
                long mid = (lo + hi) >>> 1;
                if (journalMicrosAt((int) cycle, mid) < journalMicros) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if (lo < count && tailer.moveToIndex(EventJournal.ROLL_CYCLE.toIndex((int) cycle, lo))) {
                return this;
            }
        }
        tailer.toEnd();
        return this;
    }

    private long journalMicrosAt(int cycle, long sequence) {
        if (!tailer.moveToIndex(EventJournal.ROLL_CYCLE.toIndex(cycle, sequence))) {
            return Long.MAX_VALUE;
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            dc.rollbackOnClose();
            if (!dc.isPresent()) {
                return Long.MAX_VALUE;
            }
            Bytes<?> bytes = dc.wire().bytes();
            return bytes.readRemaining() >= HEADER_BYTES && bytes.readByte() == EventJournal.FORMAT
                    ? bytes.readLong() : Long.MIN_VALUE;
        }
    }

    /** Moves past every entry: the next {@link #next} sees only entries journaled from now on. */
    public JournalReader toEnd() {
        tailer.toEnd();
        return this;
    }

    /**
     * The next entry whose capture time lies in [{@code captureFrom}, {@code captureTo}), whose id is
     * at most {@code maxId} and that {@code matches}; entries on the way are skipped (the capture time
     * is checked before the entry is parsed). Returns null when there is no such entry yet
     * ({@link #atEnd()} true; an entry above {@code maxId} stays unread) or after looking at
     * {@link #SCAN_BUDGET} entries ({@link #atEnd()} false: call again).
     */
    public Event next(long captureFrom, long captureTo, long maxId, Predicate<Event> matches) {
        for (int scanned = 0; scanned < SCAN_BUDGET; scanned++) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    atEnd = true;
                    return null;
                }
                if (dc.index() > maxId) {
                    dc.rollbackOnClose();
                    atEnd = true;
                    return null;
                }
                Bytes<?> bytes = dc.wire().bytes();
                if (bytes.readRemaining() < HEADER_BYTES || bytes.readByte() != EventJournal.FORMAT) {
                    unreadable(dc.index());
                    continue;
                }
                bytes.readSkip(8);
                long captureMicros = bytes.readLong();
                if (captureMicros < captureFrom || captureMicros >= captureTo) {
                    continue;
                }
                int length = (int) bytes.readRemaining();
                if (scratch.length < length) {
                    scratch = new byte[Math.max(length, scratch.length * 2)];
                }
                bytes.read(scratch, 0, length);
                Event event;
                try {
                    event = Event.parser().parseFrom(scratch, 0, length);
                } catch (InvalidProtocolBufferException e) {
                    unreadable(dc.index());
                    continue;
                }
                if (matches.test(event)) {
                    atEnd = false;
                    return event;
                }
            }
        }
        atEnd = false;
        return null;
    }

    private void unreadable(long index) {
        if (unreadable++ == 0) {
            LOG.warning("event journal: entry " + index + " is not a Virta event; skipping it (and any more like it)");
        }
    }

    /** Whether the last {@link #next} stopped at the end of what it may read. */
    public boolean atEnd() {
        return atEnd;
    }

    @Override
    public void close() {
        tailer.close();
    }
}
