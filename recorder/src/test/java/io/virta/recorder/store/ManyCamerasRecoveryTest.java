package io.virta.recorder.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.virta.recorder.store.SyntheticStream.*;
import static org.junit.jupiter.api.Assertions.*;

/** A store left with 64 cameras' segments open (a crash under full load) recovers whole. Timing is a benchmark's job. */
class ManyCamerasRecoveryTest {
    private static final int CAMERAS = 64;
    private static final int FRAMES = 30;

    @TempDir
    Path store;

    @Test
    void sixtyFourOpenSegmentsAreAllRecovered() throws Exception {
        SegmentPolicy policy = SegmentPolicy.DEFAULT.withSegmentBytes(1 << 20);
        try (RecordingStore recording = RecordingStore.open(store, policy)) {
            List<CameraWriter> cameras = new ArrayList<>();
            for (int c = 0; c < CAMERAS; c++) {
                cameras.add(recording.camera("cam" + c));
            }
            for (long s = 1; s <= FRAMES; s++) {
                for (CameraWriter camera : cameras) {
                    append(camera, H264_720P, s);
                }
            }
            for (CameraWriter camera : cameras) {
                camera.abandon();
            }
        }
        long started = System.nanoTime();
        try (RecordingStore recording = RecordingStore.open(store, policy)) {
            System.out.println("recovery of " + CAMERAS + " open segments: " + (System.nanoTime() - started) / 1_000_000
                    + " ms; " + recording.recovery());
            assertEquals(CAMERAS, recording.recovery().segmentsChecked());
            assertEquals(CAMERAS, recording.recovery().tailsCut());
            for (int c = 0; c < CAMERAS; c++) {
                List<ReadFrame> frames = readCamera(store, recording.index(), "cam" + c);
                assertEquals(FRAMES, frames.size(), "cam" + c);
                assertTrue(frames.stream().allMatch(ReadFrame::intact), "cam" + c);
            }
        }
    }
}
