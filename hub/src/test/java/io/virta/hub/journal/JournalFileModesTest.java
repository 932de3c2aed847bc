package io.virta.hub.journal;

import io.virta.protos.events.v1.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal's directory and every file in it (lock, Chronicle's metadata, the hour files, also one
 * rolled to while open) on real files: owner only by default, owner and a group when one is named,
 * whatever the process's umask.
 */
class JournalFileModesTest {
    private static final long HOUR = 3_600_000_000L;
    /** 2026-11-24 10:00:00 UTC. */
    private static final long START = 1_795_860_000_000_000L;

    private final AtomicLong clock = new AtomicLong(START);

    private static Event event(int n) {
        return Event.newBuilder().setType("motion").setCamera("lobby").setCaptureTimeMicros(START)
                .putAttributes("n", Integer.toString(n)).build();
    }

    /** Appends in this hour and the next, so Chronicle creates an hour file while the journal is open. */
    private void appendInTwoHours(EventJournal journal) {
        journal.append(event(0));
        clock.addAndGet(HOUR);
        journal.append(event(1));
    }

    private static PosixFileAttributes attributes(Path path) throws IOException {
        return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void theDirectoryIs0700AndEveryFileInIt0600(@TempDir Path parent) throws Exception {
        Path dir = parent.resolve("journal");
        try (EventJournal journal = EventJournal.open(dir, clock::get)) {
            appendInTwoHours(journal);
            assertEquals("rwx------", PosixFilePermissions.toString(attributes(dir).permissions()));
            List<Path> files = files(dir);
            assertTrue(files.stream().filter(f -> f.toString().endsWith(EventJournal.SUFFIX)).count() >= 2,
                    "two hour files: " + files);
            for (Path file : files) {
                assertEquals("rw-------", PosixFilePermissions.toString(attributes(file).permissions()), file.toString());
            }
        }
    }

    @Test
    void anExistingDirectoryAndItsFilesAreTightenedWhenTheJournalOpens(@TempDir Path dir) throws Exception {
        try (EventJournal journal = EventJournal.open(dir, clock::get)) {
            journal.append(event(0));
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Path file : files(dir)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        try (EventJournal journal = EventJournal.open(dir, clock::get)) {
            journal.append(event(1));
            assertEquals("rwx------", PosixFilePermissions.toString(attributes(dir).permissions()));
            for (Path file : files(dir)) {
                assertEquals("rw-------", PosixFilePermissions.toString(attributes(file).permissions()), file.toString());
            }
        }
    }

    @Test
    void aNamedGroupSharesTheDirectoryAndItsFiles(@TempDir Path parent) throws Exception {
        // A group this process is not in by default (root may give files any group; others need to be its member).
        String group = Files.readAllLines(Path.of("/etc/group")).stream().map(l -> l.split(":")[0])
                .filter(g -> !g.equals("root")).findFirst().orElseThrow();
        GroupPrincipal principal = parent.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        Path dir = parent.resolve("journal");
        try (EventJournal journal = EventJournal.open(dir, clock::get, group)) {
            appendInTwoHours(journal);
            assertEquals("rwxrwx---", PosixFilePermissions.toString(attributes(dir).permissions()));
            assertEquals(principal, attributes(dir).group());
            for (Path file : files(dir)) {
                assertEquals("rw-rw----", PosixFilePermissions.toString(attributes(file).permissions()), file.toString());
                assertEquals(principal, attributes(file).group(), file.toString());
            }
        }
    }

    @Test
    void anUnknownGroupIsRefusedWithTheSetting(@TempDir Path dir) {
        JournalException e = assertThrows(JournalException.class,
                () -> EventJournal.open(dir, clock::get, "no-such-group-virta"));
        assertTrue(e.getMessage().contains("events.journalGroup") && e.getMessage().contains("no-such-group-virta"),
                e.getMessage());
    }
}
