package io.virta.recorder.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static io.virta.recorder.store.SyntheticStream.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The power-cut model of issue 15: everything written after the last sync the writer reports is
 * lost, as zeros (blocks never written) or as garbage (blocks half written). Recovery must lose at
 * most {@code syncSeconds} of video and damage nothing before it.
 */
class PowerCutTest {
    /** The test syncs every 25 frames: 1 s of video at 25 fps, the default {@code syncSeconds}. */
    private static final int FRAMES_PER_SYNC = 25;
    private static final int FRAMES = 8 * FRAMES_PER_SYNC + 20;

    @TempDir
    Path store;

    @Test
    void bytesAfterTheLastSyncReadAsZero() throws Exception {
        powerCut(false);
    }

    @Test
    void bytesAfterTheLastSyncAreGarbage() throws Exception {
        powerCut(true);
    }

    private void powerCut(boolean garbage) throws Exception {
        // No timed syncs: the test syncs once per second of video, as the timer would.
        SegmentPolicy policy = SegmentPolicy.DEFAULT.withSync(Duration.ofHours(1));
        long syncedOffset;
        Path file;
        long lastSyncedSequence = 0;
        try (RecordingStore recording = RecordingStore.open(store, policy)) {
            CameraWriter camera = recording.camera("dock");
            for (long s = 1; s <= FRAMES; s++) {
                append(camera, H264_720P, s);
                if (s % FRAMES_PER_SYNC == 0) {
                    camera.sync();
                    lastSyncedSequence = s;
                }
            }
            syncedOffset = camera.openSegment().syncedOffset();
            file = camera.openSegment().file();
            assertTrue(syncedOffset < camera.openSegment().recordsEnd(), "frames after the last sync exist");
            camera.abandon();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            SplittableRandom random = new SplittableRandom(42);
            ByteBuffer lost = ByteBuffer.allocate(64 << 10);
            for (long at = syncedOffset; at < channel.size(); at += lost.capacity()) {
                lost.clear();
                if (garbage) {
                    random.nextBytes(lost.array());
                } else {
                    java.util.Arrays.fill(lost.array(), (byte) 0);
                }
                lost.limit((int) Math.min(lost.capacity(), channel.size() - at));
                channel.write(lost, at);
            }
        }
        try (RecordingStore recording = RecordingStore.open(store, policy)) {
            assertEquals(1, recording.recovery().tailsCut(), recording.recovery().toString());
            assertEquals(0, recording.recovery().damagedRecords(), "a torn tail is no damage");
            List<ReadFrame> frames = readCamera(store, recording.index(), "dock");
            for (int i = 0; i < frames.size(); i++) {
                assertEquals(i + 1, frames.get(i).sequence(), "no frame before the cut is missing");
                assertTrue(frames.get(i).intact(), "frame " + (i + 1) + " damaged");
            }
            assertTrue(frames.size() >= lastSyncedSequence, "every synced frame survives: " + frames.size()
                    + " of " + lastSyncedSequence);
            long lostMicros = (FRAMES - frames.size()) * FRAME_MICROS;
            assertTrue(lostMicros <= Duration.ofSeconds(1).toNanos() / 1000, "lost " + lostMicros + " µs");
            // The index forgot the keyframes that were cut, and seeking past the cut lands before it.
            long lastKept = frames.getLast().sequence();
            long seekTo = recording.index().keyframeAtOrBefore("dock", captureMicros(FRAMES)).orElseThrow()
                    .captureMicros();
            assertTrue(seekTo <= captureMicros(lastKept));
        }
        // A second recovery finds nothing to do.
        try (RecordingStore again = RecordingStore.open(store, policy)) {
            assertTrue(again.recovery().clean(), again.recovery().toString());
        }
    }
}
