package io.virta.recorder.store;

import io.virta.recorder.format.StoreLayout;
import io.virta.recorder.index.Coverage;
import io.virta.recorder.index.KeyframePosition;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.virta.recorder.store.SyntheticStream.*;
import static org.junit.jupiter.api.Assertions.*;

/** The segment files alone rebuild the index (docs/recording-format.md section 6, step 4). */
class RebuildIndexTest {
    @TempDir
    Path store;

    @Test
    void aLostIndexIsRebuiltFromTheFilesWithTheSameSpansAndKeyframes() throws Exception {
        rebuild(false);
    }

    @Test
    void aDamagedIndexIsMovedAsideAndRebuilt() throws Exception {
        rebuild(true);
    }

    private void rebuild(boolean damageInsteadOfDelete) throws Exception {
        SegmentPolicy policy = SegmentPolicy.DEFAULT.withSegmentBytes(512 << 10);
        Coverage before;
        List<KeyframePosition> seeksBefore = new ArrayList<>();
        try (RecordingStore recording = RecordingStore.open(store, policy)) {
            CameraWriter camera = recording.camera("stairs");
            for (long s = 1; s <= 300; s++) {
                append(camera, s <= 150 ? H264_720P : H264_1080P, s);
            }
            camera.sync();
            camera.abandon();                        // the last segment stays open, as after a crash
            before = recording.index().coverage("stairs", captureMicros(0), captureMicros(400), 2_000_000);
            for (long s = 1; s <= 300; s += 11) {
                seeksBefore.add(recording.index().keyframeAtOrBefore("stairs", captureMicros(s)).orElseThrow());
            }
        }
        try (Stream<Path> files = Files.list(store)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(StoreLayout.INDEX_FILE)).toList()) {
                if (damageInsteadOfDelete) {
                    byte[] garbage = new byte[(int) Files.size(file)];
                    new java.util.SplittableRandom(5).nextBytes(garbage);
                    Files.write(file, garbage);
                } else {
                    Files.delete(file);
                }
            }
        }
        try (RecordingStore recording = RecordingStore.open(store, policy)) {
            List<SegmentRow> rows = recording.index().segments("stairs", Long.MIN_VALUE, Long.MAX_VALUE);
            assertEquals(rows.size(), recording.recovery().orphansAdopted(), recording.recovery().toString());
            assertEquals(damageInsteadOfDelete, recording.recovery().notes().getFirst().contains("rebuilt"),
                    recording.recovery().notes().getFirst());
            assertTrue(rows.size() > 3);
            assertTrue(rows.stream().allMatch(r -> r.state() == SegmentState.SEALED));
            assertEquals(before, recording.index().coverage("stairs", captureMicros(0), captureMicros(400), 2_000_000));
            int i = 0;
            for (long s = 1; s <= 300; s += 11) {
                assertEquals(seeksBefore.get(i++), recording.index().keyframeAtOrBefore("stairs", captureMicros(s))
                        .orElseThrow(), "seek to frame " + s);
            }
            List<ReadFrame> frames = readCamera(store, recording.index(), "stairs");
            assertEquals(300, frames.size());
            assertTrue(frames.stream().allMatch(ReadFrame::intact));
        }
    }
}
