package io.virta.recorder.store;

import io.virta.recorder.index.Coverage;
import io.virta.recorder.index.KeyframePosition;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;
import io.virta.recorder.index.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.virta.recorder.store.SyntheticStream.*;
import static org.junit.jupiter.api.Assertions.*;

/** Frames written through a store come back byte-exact, cut into segments by section 5.3, and the index finds them. */
class RoundTripTest {
    @TempDir
    Path store;

    @Test
    void parameterSetChangeStartsASegmentAndEveryFrameComesBackByteExact() throws Exception {
        try (RecordingStore recording = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
            assertTrue(recording.recovery().clean(), recording.recovery().toString());
            try (CameraWriter camera = recording.camera("lobby")) {
                for (long s = 1; s <= 100; s++) {
                    assertEquals(s == 1 ? AppendOutcome.STARTED_SEGMENT : AppendOutcome.WRITTEN,
                            append(camera, H264_720P, s));
                }
                // New parameter sets arrive with frame 101, a keyframe: a new segment starts there.
                for (long s = 101; s <= 200; s++) {
                    assertEquals(s == 101 ? AppendOutcome.STARTED_SEGMENT : AppendOutcome.WRITTEN,
                            append(camera, H264_1080P, s));
                }
                assertEquals(2, camera.segmentsStarted());
                assertEquals(200, camera.framesWritten());
            }
            List<SegmentRow> rows = recording.index().segments("lobby", Long.MIN_VALUE, Long.MAX_VALUE);
            assertEquals(2, rows.size());
            assertEquals(SegmentState.SEALED, rows.get(0).state());
            assertEquals(1280, rows.get(0).width());
            assertEquals(1920, rows.get(1).width());
            assertEquals(captureMicros(1), rows.get(0).startMicros());
            assertEquals(captureMicros(100), rows.get(0).endMicros());
            assertEquals(captureMicros(200), rows.get(1).endMicros());
            try (SegmentReader reader = SegmentReader.open(store.resolve(rows.get(1).file()), SegmentReader.Mode.RESYNC)) {
                assertEquals(H264_1080P, reader.header().stream());
                assertEquals("lobby", reader.header().camera());
            }

            List<ReadFrame> frames = readCamera(store, recording.index(), "lobby");
            assertEquals(200, frames.size());
            for (int i = 0; i < frames.size(); i++) {
                assertEquals(i + 1, frames.get(i).sequence());
                assertTrue(frames.get(i).intact(), "frame " + (i + 1) + " differs from what was written");
            }
            // A sealed segment is cut to its records plus the seal: no preallocated space is kept.
            assertEquals(rows.get(0).recordsEnd() + 32, Files.size(store.resolve(rows.get(0).file())));

            Coverage coverage = recording.index().coverage("lobby", captureMicros(0), captureMicros(300),
                    2_000_000);
            assertEquals(List.of(new Span(captureMicros(1), captureMicros(200))), coverage.spans());
            assertEquals(List.of(new Span(captureMicros(0), captureMicros(1)),
                    new Span(captureMicros(200), captureMicros(300))), coverage.gaps());
        }
    }

    @Test
    void seekFindsTheKeyframeAtOrBeforeAnyMomentAndReadsOnFromIt() throws Exception {
        try (RecordingStore recording = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
            try (CameraWriter camera = recording.camera("gate")) {
                for (long s = 1; s <= 130; s++) {
                    append(camera, H264_720P, s);
                }
                // Seek works in the segment still being written: the index has its keyframes already.
                KeyframePosition live = recording.index().keyframeAtOrBefore("gate", captureMicros(60)).orElseThrow();
                assertEquals(captureMicros(51), live.captureMicros());
                try (SegmentReader reader = SegmentReader.open(store.resolve(live.file()), SegmentReader.Mode.RESYNC,
                        camera.openSegment().recordsEnd())) {
                    reader.seek(live.offset());
                    long expected = 51;
                    while (reader.next()) {
                        assertEquals(expected++, reader.sequence());
                    }
                    assertEquals(131, expected);
                    assertEquals(SegmentEnd.UNWRITTEN, reader.end());
                    assertEquals(0, reader.damagedRecords());
                }
            }
            for (long moment = 1; moment <= 130; moment += 7) {
                long expectedKeyframe = (moment - 1) / GOP * GOP + 1;
                KeyframePosition at = recording.index().keyframeAtOrBefore("gate", captureMicros(moment) + 123)
                        .orElseThrow();
                assertEquals(captureMicros(expectedKeyframe), at.captureMicros(), "moment " + moment);
                try (SegmentReader reader = SegmentReader.open(store.resolve(at.file()), SegmentReader.Mode.RESYNC)) {
                    reader.seek(at.offset());
                    assertTrue(reader.next());
                    assertEquals(expectedKeyframe, reader.sequence());
                    assertTrue(reader.isKeyframe());
                }
            }
            assertTrue(recording.index().keyframeAtOrBefore("gate", captureMicros(0)).isEmpty());
            assertTrue(recording.index().keyframeAtOrBefore("nobody", captureMicros(50)).isEmpty());
        }
    }

    @Test
    void aGapInCaptureTimeStartsASegmentAndShowsAsAGap() throws Exception {
        try (RecordingStore recording = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
            try (CameraWriter camera = recording.camera("yard")) {
                for (long s = 1; s <= 50; s++) {
                    append(camera, H264_720P, s);
                }
                // The camera was away for 10 s: frames 51..300 never came.
                for (long s = 301; s <= 350; s++) {
                    append(camera, H264_720P, s);
                }
            }
            Coverage coverage = recording.index().coverage("yard", captureMicros(1), captureMicros(350), 2_000_000);
            assertEquals(List.of(new Span(captureMicros(1), captureMicros(50)),
                    new Span(captureMicros(301), captureMicros(350))), coverage.spans());
            assertEquals(List.of(new Span(captureMicros(50), captureMicros(301))), coverage.gaps());
        }
    }

    @Test
    void framesBeforeTheFirstKeyframeAreSkippedAndCounted() throws Exception {
        try (RecordingStore recording = RecordingStore.open(store, SegmentPolicy.DEFAULT);
             CameraWriter camera = recording.camera("late")) {
            for (long s = 20; s <= 30; s++) {
                AppendOutcome outcome = append(camera, H264_720P, s);
                assertEquals(s < 26 ? AppendOutcome.SKIPPED_UNTIL_KEYFRAME
                        : s == 26 ? AppendOutcome.STARTED_SEGMENT : AppendOutcome.WRITTEN, outcome, "frame " + s);
            }
            assertEquals(6, camera.framesSkipped());
            assertEquals(5, camera.framesWritten());
            assertEquals(captureMicros(26), camera.openSegment().header().startTimeMicros());
        }
    }

    @Test
    void aRetractedFrameIsGoneAndTheNextTakesItsPlace() throws Exception {
        try (RecordingStore recording = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
            try (CameraWriter camera = recording.camera("shop")) {
                for (long s = 1; s <= 26; s++) {
                    append(camera, H264_720P, s);
                }
                // Frame 26, a keyframe, was overwritten in its bus cell while it was written.
                camera.retractLast();
                assertEquals(captureMicros(1),
                        recording.index().keyframeAtOrBefore("shop", captureMicros(26)).orElseThrow().captureMicros());
                for (long s = 27; s <= 60; s++) {
                    append(camera, H264_720P, s);
                }
                assertEquals(59, camera.framesWritten());
            }
            List<ReadFrame> frames = readCamera(store, recording.index(), "shop");
            assertEquals(59, frames.size());
            assertTrue(frames.stream().allMatch(ReadFrame::intact));
            assertTrue(frames.stream().noneMatch(f -> f.sequence() == 26));
            assertEquals(60, frames.getLast().sequence());
        }
    }

    @Test
    void fullSegmentsRollAndTheWriterPreallocatesThem() throws Exception {
        SegmentPolicy small = SegmentPolicy.DEFAULT.withSegmentBytes(256 << 10);
        try (RecordingStore recording = RecordingStore.open(store, small)) {
            try (CameraWriter camera = recording.camera("hall")) {
                for (long s = 1; s <= 200; s++) {
                    append(camera, H264_720P, s);
                    if (camera.openSegment() != null && camera.openSegment().frames() == 1) {
                        assertEquals(256 << 10, Files.size(camera.openSegment().file()), "preallocated");
                    }
                }
                assertTrue(camera.segmentsStarted() > 5, "segments: " + camera.segmentsStarted());
            }
            List<ReadFrame> frames = readCamera(store, recording.index(), "hall");
            assertEquals(200, frames.size());
            assertTrue(frames.stream().allMatch(ReadFrame::intact));
        }
    }
}
