package io.virta.hub.journal;

import io.virta.protos.events.v1.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Chronicle journal on real files, with a settable clock for journal time and hour files. */
class EventJournalTest {
    private static final long HOUR = 3_600_000_000L;
    /** 2026-11-24 10:00:00 UTC. */
    private static final long START = 1_795_860_000_000_000L;

    private final AtomicLong clock = new AtomicLong(START);

    private static Event event(long captureMicros, int n) {
        return Event.newBuilder().setType("motion").setCamera("lobby").setCaptureTimeMicros(captureMicros)
                .putAttributes("n", Integer.toString(n)).build();
    }

    private static List<Integer> readAll(EventJournal journal, long from, long to) {
        List<Integer> ns = new ArrayList<>();
        try (JournalReader reader = journal.reader()) {
            Event e;
            while ((e = reader.next(from, to, Long.MAX_VALUE, x -> true)) != null || !reader.atEnd()) {
                if (e != null) {
                    ns.add(Integer.parseInt(e.getAttributesOrThrow("n")));
                }
            }
        }
        return ns;
    }

    @Test
    void appendStampsIdAndJournalTimeAndReadsBack(@TempDir Path dir) {
        try (EventJournal journal = EventJournal.open(dir, clock::get)) {
            assertEquals(-1, journal.lastId());
            Event reported = event(START - 5, 0).toBuilder().setId(999).setJournalTimeMicros(1)
                    .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                            .addField(99, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(7).build())
                            .build()).build();
            long id = journal.append(reported);
            assertTrue(id != 999 && id > 0);
            assertEquals(id, journal.lastId());
            assertEquals(START, journal.lastJournalMicros());
            clock.addAndGet(10);
            long second = journal.append(event(START, 1));
            assertEquals(id + 1, second, "dense within an hour");
            Event stamped = EventJournal.stamped(reported, id, START);
            assertEquals(id, stamped.getId());
            assertEquals(START, stamped.getJournalTimeMicros(), "the reported journal time is replaced");
            assertTrue(stamped.getUnknownFields().asMap().isEmpty(), "fields this hub does not know are dropped");
            try (JournalReader reader = journal.reader()) {
                assertEquals(stamped, reader.next(Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, e -> true));
                assertEquals(EventJournal.stamped(event(START, 1), second, START + 10),
                        reader.next(Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, e -> true));
                assertNull(reader.next(Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, e -> true));
                assertTrue(reader.atEnd());
            }
        }
    }

    @Test
    void aJournalDirectoryHasOneHubAtATime(@TempDir Path dir) {
        try (EventJournal journal = EventJournal.open(dir, clock::get)) {
            JournalException e = assertThrows(JournalException.class, () -> EventJournal.open(dir, clock::get));
            assertEquals("event journal " + dir + " is in use by another hub (or producer); give each hub its own"
                    + " journal directory", e.getMessage());
            journal.append(event(START, 0));
        }
        try (EventJournal again = EventJournal.open(dir, clock::get)) {
            assertEquals(List.of(0), readAll(again, Long.MIN_VALUE, Long.MAX_VALUE));
        }
    }

    @Test
    void journalTimeNeverGoesBackAndIdsIncreaseAcrossHoursAndRestarts(@TempDir Path dir) {
        long lastId;
        try (EventJournal journal = EventJournal.open(dir, clock::get)) {
            journal.append(event(START, 0));
            long a = journal.lastJournalMicros();
            clock.addAndGet(-1_000_000);   // the wall clock steps back a second
            long b = journal.append(event(START, 1));
            assertEquals(a, journal.lastJournalMicros(), "journal time holds instead");
            clock.addAndGet(2 * HOUR);
            long c = journal.append(event(START, 2));
            assertTrue(c > b + 1, "a new hour file: the id jumps");
            lastId = c;
        }
        clock.addAndGet(HOUR);
        try (EventJournal journal = EventJournal.open(dir, clock::get)) {
            assertEquals(lastId, journal.lastId(), "the last id is found again");
            assertTrue(journal.append(event(START, 3)) > lastId);
            assertEquals(List.of(0, 1, 2, 3), readAll(journal, Long.MIN_VALUE, Long.MAX_VALUE));
        }
    }

    @Test
    void seekFindsTheFirstEntryAtOrAfterAJournalTime(@TempDir Path dir) {
        try (EventJournal journal = EventJournal.open(dir, clock::get)) {
            // 3000 events, 3 s apart: 2.5 hours over three hour files.
            for (int i = 0; i < 3000; i++) {
                journal.append(event(clock.get(), i));
                clock.addAndGet(3_000_000);
            }
            for (int target : new int[] {0, 1, 1199, 1200, 1201, 2999}) {
                try (JournalReader reader = journal.reader().seekJournalTime(START + target * 3_000_000L - 1)) {
                    Event e = reader.next(Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, x -> true);
                    assertEquals(Integer.toString(target), e.getAttributesOrThrow("n"), "seek to entry " + target);
                }
            }
            try (JournalReader reader = journal.reader().seekJournalTime(START - HOUR * 100)) {
                assertEquals("0", reader.next(Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, x -> true).getAttributesOrThrow("n"));
            }
            // A time in an hour without a file: the next hour's first entry.
            clock.addAndGet(3 * HOUR);
            journal.append(event(clock.get(), 3000));
            try (JournalReader reader = journal.reader().seekJournalTime(clock.get() - HOUR)) {
                assertEquals("3000", reader.next(Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, x -> true).getAttributesOrThrow("n"));
            }
            try (JournalReader reader = journal.reader().seekJournalTime(clock.get() + HOUR)) {
                assertNull(reader.next(Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, x -> true));
                assertTrue(reader.atEnd());
            }
        }
    }

    @Test
    void readsSkipByCaptureTimeAndStopAtMaxId(@TempDir Path dir) {
        try (EventJournal journal = EventJournal.open(dir, clock::get)) {
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add(journal.append(event(START + i, i)));
            }
            assertEquals(List.of(3, 4, 5), readAll(journal, START + 3, START + 6));
            try (JournalReader reader = journal.reader()) {
                int count = 0;
                while (reader.next(Long.MIN_VALUE, Long.MAX_VALUE, ids.get(4), e -> true) != null) {
                    count++;
                }
                assertEquals(5, count);
                assertTrue(reader.atEnd());
                assertEquals("5", reader.next(Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, e -> true)
                        .getAttributesOrThrow("n"), "the entry above maxId stays unread");
            }
        }
    }

    @Test
    void retentionDeletesWholeHoursPastItAndNeverTheNewest(@TempDir Path dir) throws Exception {
        try (EventJournal journal = EventJournal.open(dir, clock::get)) {
            journal.append(event(clock.get(), 0));
            clock.addAndGet(HOUR);
            journal.append(event(clock.get(), 1));
            clock.addAndGet(HOUR);
            long newest = journal.append(event(clock.get(), 2));
            assertEquals(3, hourFiles(dir));
            assertEquals(List.of(), journal.deleteOlderThan(Duration.ofHours(2)), "nothing ended 2 h ago yet");
            clock.addAndGet(HOUR / 2);
            List<Path> deleted = journal.deleteOlderThan(Duration.ofHours(1));
            assertEquals(1, deleted.size(), "the first hour ended 1.5 h ago: " + deleted);
            assertEquals(List.of(1, 2), readAll(journal, Long.MIN_VALUE, Long.MAX_VALUE));
            clock.addAndGet(100 * HOUR);
            assertEquals(1, journal.deleteOlderThan(Duration.ofHours(1)).size(), "the newest file stays");
            assertEquals(List.of(2), readAll(journal, Long.MIN_VALUE, Long.MAX_VALUE));
            assertTrue(journal.append(event(clock.get(), 3)) > newest, "ids go on increasing");
            assertEquals(List.of(2, 3), readAll(journal, Long.MIN_VALUE, Long.MAX_VALUE));
        }
    }

    @Test
    void hourFilesStaySmall(@TempDir Path dir) throws Exception {
        try (EventJournal journal = EventJournal.open(dir, clock::get)) {
            journal.append(event(START, 0));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    assertTrue(Files.size(file) <= 2 * EventJournal.BLOCK_SIZE, file + ": " + Files.size(file));
                }
            }
        }
    }

    @Test
    void aDirectoryThatCannotBeAJournalIsReported(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        JournalException e = assertThrows(JournalException.class, () -> EventJournal.open(file));
        assertTrue(e.getMessage().startsWith("event journal " + file + ": cannot create the directory"), e.getMessage());
        EventJournal closed = EventJournal.open(dir.resolve("j"), clock::get);
        closed.close();
        assertThrows(JournalException.class, () -> closed.append(event(START, 0)));
        assertFalse(closed.deleteOlderThan(Duration.ZERO).iterator().hasNext());
    }

    private static long hourFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }
}
