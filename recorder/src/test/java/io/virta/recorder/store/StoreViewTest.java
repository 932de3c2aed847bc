package io.virta.recorder.store;

import io.virta.recorder.index.IndexException;
import io.virta.recorder.index.KeyframePosition;
import io.virta.recorder.index.SegmentRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A reader beside a running recorder sees what was appended, including the segment being written, and changes nothing. */
class StoreViewTest {

    @Test
    void readsTheOpenSegmentBesideItsWriterUpToTheLastAppendedFrame(@TempDir Path dir) throws Exception {
        try (RecordingStore store = RecordingStore.open(dir, SegmentPolicy.DEFAULT);
             CameraWriter writer = store.camera("lobby")) {
            for (long sequence = 1; sequence <= 37; sequence++) {
                SyntheticStream.append(writer, SyntheticStream.H264_720P, sequence);
            }
            try (StoreView view = StoreView.open(dir)) {
                assertEquals(List.of("lobby"), view.cameras());
                KeyframePosition first = view.index().keyframeAtOrBefore("lobby", Long.MAX_VALUE).orElseThrow();
                SegmentRow row = view.segment(first.segmentId()).orElseThrow();
                int frames = 0;
                try (SegmentReader reader = view.openSegment(row)) {
                    while (reader.next()) {
                        frames++;
                    }
                }
                assertEquals(37, frames, "every frame appended so far, though the index knows only the last keyframe");
            }
            SyntheticStream.append(writer, SyntheticStream.H264_720P, 38);   // the writer goes on after a reader came and went
        }
    }

    @Test
    void aDirectoryWithoutIndexIsNamedWithAHint(@TempDir Path dir) {
        IndexException failure = assertThrows(IndexException.class, () -> StoreView.open(dir));
        assertTrue(failure.getMessage().contains(dir.toString()) && failure.getMessage().contains("--repair"),
                failure.getMessage());
        assertTrue(!StoreView.isStore(dir));
    }
}
