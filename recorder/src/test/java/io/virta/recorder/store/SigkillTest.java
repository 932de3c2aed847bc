package io.virta.recorder.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.virta.recorder.store.SyntheticStream.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A SIGKILL loses no frame that was handed to the kernel (issue 15): a child JVM prints each bus
 * sequence number after {@code append} returned; the test kills it at a random moment, recovers the
 * store, and finds every printed frame, in order and intact. Each round continues the same camera in
 * the same store, so recovery also meets segments left open by earlier kills.
 */
class SigkillTest {
    private static final int ROUNDS = 10;

    @TempDir
    Path store;

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyFrameAppendedBeforeTheKillIsRecoveredIntact() throws Exception {
        SplittableRandom random = new SplittableRandom(0x51_61_4B_11L);
        long next = 1;
        List<Long> printed = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Process child = ChildRecorder.start("record", store.toString(), "porch", Long.toString(next));
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
            // The kill lands after a random number of printed frames: mid-segment, at a roll, mid-write.
            int frames = 30 + random.nextInt(400);
            String line = null;
            for (int i = 0; i < frames && (line = out.readLine()) != null; i++) {
                printed.add(Long.parseLong(line.trim()));
            }
            assertNotNull(line, "the child recorder ended by itself; see its stderr above");
            child.toHandle().destroyForcibly(); // SIGKILL; Process.destroyForcibly would close the pipe unread
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            while ((line = out.readLine()) != null) {
                printed.add(Long.parseLong(line.trim())); // printed before the kill landed: owed too
            }
            next = printed.getLast() + 1;
            // Frames appended after the last printed one may have been recovered too; the next round
            // starts above them so that sequence numbers stay increasing.
            try (RecordingStore recording = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
                System.out.println("round " + round + ": " + printed.size() + " frames printed; " + recording.recovery());
                List<ReadFrame> recovered = readCamera(store, recording.index(), "porch");
                // A kill in the middle of a write leaves a torn record: the tail cut, not damage.
                assertEquals(0, recording.recovery().damagedRecords(), recording.recovery().toString());
                int at = 0;
                for (long sequence : printed) {
                    while (at < recovered.size() && recovered.get(at).sequence() < sequence) {
                        at++;
                    }
                    assertTrue(at < recovered.size() && recovered.get(at).sequence() == sequence,
                            "round " + round + ": frame " + sequence + " was appended before the kill and is missing");
                    assertTrue(recovered.get(at).intact(), "round " + round + ": frame " + sequence + " is damaged");
                }
                for (int i = 1; i < recovered.size(); i++) {
                    assertTrue(recovered.get(i).sequence() > recovered.get(i - 1).sequence(), "frames out of order");
                }
                next = Math.max(next, recovered.getLast().sequence() + 1);
            }
            // The next round must begin at a keyframe to record at once.
            next = (next - 1 + GOP - 1) / GOP * GOP + 1;
        }
    }
}
