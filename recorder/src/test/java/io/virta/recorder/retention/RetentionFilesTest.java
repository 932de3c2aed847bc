package io.virta.recorder.retention;

import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.retention.RecordedCameras.Camera;
import io.virta.recorder.retention.RecordedCameras.TestClock;
import io.virta.recorder.store.RecordingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.virta.recorder.retention.RecordedCameras.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The two durable retention files (docs/recording-format.md section 10) on a real store: what they
 * keep across a reopen, how a torn or damaged file is treated, and that retention deletes nothing
 * while it cannot read the protections or the marks, and deletes again once the file is fixed.
 */
class RetentionFilesTest {
    private static final Instant T0 = RetentionLines.instant(BASE_MICROS);

    @TempDir
    Path store;

    @Test
    void protectedRangesSurviveAReopenAndIdsAreNeverReused() throws IOException {
        TestClock clock = new TestClock(BASE_MICROS + 5_000_000);
        ProtectedRanges ranges = ProtectedRanges.open(store, clock);
        ProtectedRange lobby = ranges.add(Optional.of("lobby"), T0, T0.plusSeconds(60), "case 2026/118: tür kaputt");
        ProtectedRange all = ranges.add(Optional.empty(), T0.plusSeconds(10), T0.plusSeconds(20), "insurance%claim");
        ProtectedRange third = ranges.add(Optional.of("gate"), T0, T0, "one moment");
        assertTrue(ranges.remove(third.id()));
        assertFalse(ranges.remove(third.id()));
        Files.writeString(store.resolve(ProtectedRanges.FILE + ".tmp"), "a crash left this half written");

        ProtectedRanges reopened = ProtectedRanges.open(store, clock);
        assertEquals(Optional.empty(), reopened.unusable());
        assertEquals(List.of(lobby, all), reopened.list());
        assertEquals(RetentionLines.instant(clock.micros()), lobby.created());
        assertEquals(4, reopened.add(Optional.empty(), T0, T0, "next").id(), "ids are never reused");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.resolve(ProtectedRanges.FILE))));
        String text = Files.readString(store.resolve(ProtectedRanges.FILE));
        assertTrue(text.startsWith("virta-protected-ranges 1 5\n"), text);
        assertTrue(text.contains(" case%202026/118:%20t%C3%BCr%20kaputt "), text);
        assertTrue(lobby.covers("lobby", BASE_MICROS + 60_000_000, BASE_MICROS + 70_000_000));
        assertFalse(lobby.covers("gate", BASE_MICROS, BASE_MICROS));
        assertFalse(lobby.covers("lobby", BASE_MICROS + 60_000_001, BASE_MICROS + 70_000_000));
        assertThrows(IllegalArgumentException.class, () -> ranges.add(Optional.empty(), T0, T0, " "));
    }

    @Test
    void aDamagedProtectionFilePausesDeletionUntilItIsFixed() throws IOException {
        TestClock clock = new TestClock(BASE_MICROS);
        try (RecordingStore recording = RecordingStore.open(store, SMALL);
             RetentionService retention = RetentionService.open(recording, RetentionPolicy.DEFAULT.withKeepFree(0)
                     .withMaxAge(Duration.ofSeconds(10)), clock, DiskSpace.FILE_STORE, Duration.ofHours(1))) {
            Camera camera = new Camera(recording, "lobby");
            camera.recordAndStop(clock, 150);
            retention.protections().add(Optional.of("lobby"), T0.plusMillis(500), T0.plusMillis(500), "kept");
            retention.protections().add(Optional.of("gate"), T0, T0, "another camera's");
            Path file = store.resolve(ProtectedRanges.FILE);
            List<String> lines = new ArrayList<>(Files.readAllLines(file));
            lines.set(2, lines.get(2).replace("another", "anothex"));
            Files.write(file, lines);
            clock.advance(60_000_000);
            int segments = recording.index().allSegments().size();

            RetentionReport paused = retention.runNow();
            assertTrue(paused.paused().orElseThrow().contains("line 3 is damaged"), paused.paused().toString());
            assertTrue(paused.deleted().isEmpty());
            assertEquals(segments, recording.index().allSegments().size());
            IOException refused = assertThrows(IOException.class,
                    () -> retention.protections().add(Optional.empty(), T0, T0, "would drop line 3"));
            assertTrue(refused.getMessage().contains(ProtectedRanges.FILE), refused.getMessage());

            lines.remove(2); // the fix docs/recording-format.md 10.2 gives: delete the damaged line
            Files.write(file, lines);
            RetentionReport resumed = retention.runNow();
            assertEquals(Optional.empty(), resumed.paused());
            assertEquals(segments - 1, resumed.deleted().size(), "all but the protected first segment");
            assertEquals(List.of(1L), recording.index().allSegments().stream().map(SegmentRow::id).toList());
            assertEquals(segments - 1, retention.totals().cameras().get("lobby").segmentsDeleted());
        }
    }

    @Test
    void marksSurviveAReopenATornLastLineIsCutAndADamagedLineIsSkipped() throws IOException {
        EventMarkLog log = EventMarkLog.open(store);
        EventMark person = new EventMark("lobby", "person", T0, T0.plusSeconds(4));
        EventMark odd = EventMark.at("gate", "rot kehlchen 🐦", T0.plusSeconds(9));
        log.mark(person);
        log.mark(odd);
        log.mark(EventMark.at("gate", "car", T0.plusSeconds(12)));
        Path file = store.resolve(EventMarkLog.FILE);
        long whole = Files.size(file);
        Files.writeString(file, "gate car 17800000", StandardOpenOption.APPEND); // an append a crash cut short

        EventMarkLog reopened = EventMarkLog.open(store);
        assertEquals(log.marks(), reopened.marks());
        assertEquals(List.of(person, odd, EventMark.at("gate", "car", T0.plusSeconds(12))), reopened.marks());
        assertEquals(whole, Files.size(file), "the torn line is cut off");
        assertEquals(0, reopened.damagedLines());

        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.US_ASCII));
        lines.set(1, lines.get(1).replace("person", "persom"));
        Files.write(file, lines);
        EventMarkLog damaged = EventMarkLog.open(store);
        assertEquals(2, damaged.marks().size());
        assertEquals(1, damaged.damagedLines());
        assertEquals(Optional.empty(), damaged.unusable());
        damaged.mark(EventMark.at("lobby", "person", T0.plusSeconds(30)));
        assertEquals(3, EventMarkLog.open(store).marks().size());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void marksOfAnotherVersionPauseDeletionAndExpiredMarksAreForgotten() throws IOException {
        Path file = store.resolve(EventMarkLog.FILE);
        Files.writeString(file, "virta-event-marks 2\nsomething newer\n");
        EventMarkLog newer = EventMarkLog.open(store);
        assertTrue(newer.unusable().orElseThrow().contains("virta-event-marks 2"));
        IOException refused = assertThrows(IOException.class, () -> newer.mark(EventMark.at("lobby", "person", T0)));
        assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
        TestClock clock = new TestClock(BASE_MICROS);
        try (RecordingStore recording = RecordingStore.open(store, SMALL);
             RetentionService retention = RetentionService.open(recording, RetentionPolicy.DEFAULT.withMaxBytes(1),
                     clock, DiskSpace.FILE_STORE, Duration.ofHours(1))) {
            Camera camera = new Camera(recording, "lobby");
            camera.recordAndStop(clock, 60);
            RetentionReport report = retention.runNow();
            assertTrue(report.paused().orElseThrow().contains(EventMarkLog.FILE), report.paused().toString());
            assertTrue(report.deleted().isEmpty());
        }

        Files.delete(file);
        EventMarkLog log = EventMarkLog.open(store);
        for (int i = 0; i < 6; i++) {
            log.mark(EventMark.at("lobby", "person", T0.plusSeconds(i)));
        }
        assertEquals(0, log.forgetEndedBefore(BASE_MICROS + 2_000_000, 3), "only two have ended before");
        assertEquals(4, log.forgetEndedBefore(BASE_MICROS + 4_000_000, 3));
        assertEquals(List.of(EventMark.at("lobby", "person", T0.plusSeconds(4)),
                EventMark.at("lobby", "person", T0.plusSeconds(5))), EventMarkLog.open(store).marks());
    }

    @Test
    void aCameraPolicyAddsToTheStoresAndContradictionsAreRefused() {
        RetentionPolicy policy = RetentionPolicy.DEFAULT.withMaxAge(Duration.ofDays(30)).withMinAge(Duration.ofDays(1))
                .withEvents(List.of(new EventRule("person", Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofDays(60))))
                .withCamera("gate", CameraRetention.INHERIT.withMaxBytes(1 << 30).withMaxAge(Duration.ofDays(7))
                        .withEvents(List.of(new EventRule("person", Duration.ofSeconds(2), Duration.ofSeconds(20),
                                Duration.ofDays(90)), EventRule.of("car"))));
        RetentionPolicy.CameraLimits gate = policy.limitsOf("gate");
        assertEquals(1 << 30, gate.maxBytes());
        assertEquals(Duration.ofDays(7).toSeconds() * 1_000_000, gate.maxAgeMicros());
        assertEquals(Duration.ofDays(1).toSeconds() * 1_000_000, gate.minAgeMicros());
        assertEquals(new EventRule("person", Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofDays(90)),
                gate.rules().get("person"));
        assertEquals(Map.of("person", policy.events().getFirst()), policy.limitsOf("lobby").rules());
        assertEquals(Long.MAX_VALUE, RetentionPolicy.DEFAULT.limitsOf("lobby").maxAgeMicros());
        assertThrows(IllegalArgumentException.class, () -> policy.withMinAge(Duration.ofDays(8)),
                "minAge above gate's maxAge");
        assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.DEFAULT.withMaxBytes(0));
        assertThrows(RuntimeException.class, () -> policy.withCamera("../etc", CameraRetention.INHERIT));
    }
}
