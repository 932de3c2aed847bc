package io.virta.cli;

import io.virta.bus.PixelFormat;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code virta recorder --store A --store B}: a camera goes back to the store that holds its newest video. */
class RecorderStoreChoiceTest {
    @Test
    void aCameraStaysWithItsNewestVideo(@TempDir Path dir) throws Exception {
        try (RecordingStore a = RecordingStore.open(dir.resolve("a"), SegmentPolicy.DEFAULT);
             RecordingStore b = RecordingStore.open(dir.resolve("b"), SegmentPolicy.DEFAULT)) {
            indexed(a, "lobby", 1, 1_000_000);
            indexed(b, "lobby", 1, 5_000_000);   // newer
            indexed(a, "yard", 2, 9_000_000);
            var recordings = new RecorderCommand.Recordings(List.of(a, b), List.of(), Set.of(), new PrintStream(new ByteArrayOutputStream()));
            assertSame(b, recordings.storeFor("lobby"));
            assertSame(a, recordings.storeFor("yard"));
            RecordingStore fresh = recordings.storeFor("gate");   // the one with the most usable space
            assertTrue(fresh == a || fresh == b);
        }
    }

    /** An index row and keyframe as a recorder would have left them (the file itself does not matter here). */
    private static void indexed(RecordingStore store, String camera, long id, long startMicros) {
        store.index().addSegment(new SegmentRow(id, camera, "cameras/" + camera + "/" + id + ".vseg", PixelFormat.H264,
                0, 0, startMicros, startMicros + 1_000_000, 4096, 4096, SegmentState.SEALED));
        store.index().addKeyframe(id, startMicros, startMicros, 4096);
    }
}
