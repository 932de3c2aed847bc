package io.virta.recorder.retention;

import io.virta.bus.PixelFormat;
import io.virta.recorder.format.StoreLayout;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;
import io.virta.recorder.retention.RecordedCameras.Camera;
import io.virta.recorder.retention.RecordedCameras.TestClock;
import io.virta.recorder.store.RecordingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.virta.recorder.retention.RecordedCameras.*;
import static org.junit.jupiter.api.Assertions.*;

/** How the service learns of segments and treats files that went missing behind its back. */
class RetentionServiceTest {
    @TempDir
    Path store;

    @Test
    void aSegmentWhoseRowArrivesAfterAHigherIdIsStillCountedAndDeleted() throws IOException {
        TestClock clock = new TestClock(BASE_MICROS);
        try (RecordingStore recording = RecordingStore.open(store, SMALL);
             RetentionService retention = RetentionService.open(recording, RetentionPolicy.DEFAULT.withKeepFree(0),
                     clock, DiskSpace.FILE_STORE, Duration.ofHours(1))) {
            Camera camera = new Camera(recording, "lobby");
            camera.recordAndStop(clock, 60);
            List<SegmentRow> rows = recording.index().allSegments();
            long highest = rows.getLast().id();
            long size = Files.size(store.resolve(rows.getFirst().file()));
            retention.runNow();
            // Two cameras start segments at once: the one with the higher id adds its row first.
            addSealedCopy(recording, rows.getFirst(), "gate", highest + 2);
            long recorded = 0;
            for (SegmentRow row : rows) {
                recorded += Files.size(store.resolve(row.file()));
            }
            assertEquals(recorded + size, retention.runNow().storeBytes());
            addSealedCopy(recording, rows.getFirst(), "gate", highest + 1);
            assertEquals(2 * size, retention.runNow().cameraBytes().get("gate"), "the late row is counted");

            clock.advance(1_000_000);
            RetentionService strict = RetentionService.open(recording, RetentionPolicy.DEFAULT.withKeepFree(0)
                    .withMaxBytes(1), clock, DiskSpace.FILE_STORE, Duration.ofHours(1));
            Files.delete(store.resolve(StoreLayout.relativeSegmentPath("gate", highest + 1))); // by hand
            RetentionReport report = strict.runNow();
            assertEquals(rows.size() + 2, report.deleted().size());
            assertTrue(recording.index().allSegments().isEmpty());
            assertTrue(report.notes().stream().anyMatch(n -> n.contains("already gone")), report.notes().toString());
            assertEquals(0, report.storeBytes());
            strict.close();
        }
    }

    private void addSealedCopy(RecordingStore recording, SegmentRow from, String camera, long id) throws IOException {
        String file = StoreLayout.relativeSegmentPath(camera, id);
        Files.createDirectories(store.resolve(file).getParent());
        Files.copy(store.resolve(from.file()), store.resolve(file));
        recording.index().addSegment(new SegmentRow(id, camera, file, PixelFormat.H264, 640, 360, from.startMicros(),
                from.endMicros(), from.recordsEnd(), from.recordsEnd(), SegmentState.SEALED));
    }
}
