package io.virta.recorder.retention;

import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.retention.RecordedCameras.Camera;
import io.virta.recorder.retention.RecordedCameras.TestClock;
import io.virta.recorder.store.RecordingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.virta.recorder.retention.RecordedCameras.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Retention's own thread deletes while a camera writer appends and an event source marks: the writer
 * goes on through every deletion (it is held up by nothing retention holds), nothing it wrote is lost
 * but the oldest whole segments retention reports deleted, and the segment being written is never
 * touched.
 */
class RetentionConcurrencyTest {
    private static final int SEGMENTS = 60;
    private static final long BUDGET = 300_000;

    @TempDir
    Path store;

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void retentionDeletesWhileACameraRecordsAndLosesNothingElse() throws Exception {
        TestClock clock = new TestClock(BASE_MICROS);
        try (RecordingStore recording = RecordingStore.open(store, SMALL);
             RetentionService retention = RetentionService.open(recording, RetentionPolicy.DEFAULT.withKeepFree(0)
                     .withMaxBytes(BUDGET), clock, DiskSpace.FILE_STORE, Duration.ofMillis(20))) {
            retention.start();
            Camera camera = new Camera(recording, "lobby");
            List<Long> started = new ArrayList<>();
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger marked = new AtomicInteger();
            CompletableFuture<Void> events = CompletableFuture.runAsync(() -> {
                try {
                    while (writing.get()) {
                        retention.marks().mark(EventMark.at("lobby", "motion", clock.instant()));
                        marked.incrementAndGet();
                        Thread.sleep(5); // an event source's pace, not a wait for state
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long frame = 0;
            while (started.size() < SEGMENTS) {
                frame++;
                clock.set(BASE_MICROS + frame * FRAME_MICROS);
                if (camera.record(clock.micros())) {
                    started.add(camera.openSegment());
                    retention.segmentsChanged();
                    // Keep the writer and the deletions interleaved: once the budget is reached, go on
                    // only when retention has caught up with all but a few segments.
                    awaitDeleted(retention, started.size() - 15);
                }
            }
            long lastOpen = camera.openSegment();
            assertTrue(retention.totals().segmentsDeleted() >= SEGMENTS - 15 - 1, retention.totals().toString());
            assertTrue(recording.index().segment(lastOpen).isPresent(), "the segment being written was deleted");
            writing.set(false);
            events.get(30, TimeUnit.SECONDS);
            camera.stop();
            retention.close();
            RetentionReport last = retention.runNow();

            List<SegmentRow> left = recording.index().allSegments();
            List<Long> leftIds = left.stream().map(SegmentRow::id).toList();
            assertEquals(started.subList(started.size() - leftIds.size(), started.size()), leftIds,
                    "the newest segments are kept, the oldest deleted");
            for (SegmentRow row : left) {
                assertIntact(store, row, camera);
            }
            long kept = left.stream().mapToInt(r -> camera.frames.get(r.id())).sum();
            long deleted = started.subList(0, started.size() - leftIds.size()).stream()
                    .mapToInt(id -> camera.frames.get(id)).sum();
            assertEquals(frame, kept + deleted, "every frame written is kept or in a segment retention deleted");
            assertEquals(started.size() - leftIds.size(), retention.totals().segmentsDeleted());
            assertTrue(last.storeBytes() <= BUDGET, last.toString());
            assertTrue(last.warnings().isEmpty(), last.warnings().toString());
            assertTrue(marked.get() > 0);
        }
    }

    private static void awaitDeleted(RetentionService retention, long segments) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (retention.totals().segmentsDeleted() < segments) {
            assertTrue(System.nanoTime() < deadline, "retention did not catch up: " + retention.totals());
            retention.segmentsChanged();
            Thread.sleep(2);
        }
    }
}
