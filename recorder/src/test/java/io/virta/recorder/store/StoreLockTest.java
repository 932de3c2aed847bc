package io.virta.recorder.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Two recorders on one store: the second is refused with an error that names the store and the first's pid. */
class StoreLockTest {
    @TempDir
    Path store;

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSecondRecorderIsRefusedNamingTheFirstsPidAndGetsTheStoreOnceItDies() throws Exception {
        Process first = ChildRecorder.start("hold", store.toString());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("open", out.readLine(), "the first recorder did not open the store; see its stderr");
            StoreLockedException refused = assertThrows(StoreLockedException.class,
                    () -> RecordingStore.open(store, SegmentPolicy.DEFAULT));
            assertEquals(first.pid(), refused.holderPid());
            assertTrue(refused.getMessage().contains(store.toString()), refused.getMessage());
            assertTrue(refused.getMessage().contains("pid " + first.pid()), refused.getMessage());
        } finally {
            first.toHandle().destroyForcibly();
            first.waitFor(30, TimeUnit.SECONDS);
        }
        // The kernel dropped the dead recorder's lock: no stale lock to clean.
        try (RecordingStore recording = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
            assertTrue(recording.recovery().clean());
        }
    }

    @Test
    void aSecondOpenInTheSameProcessIsRefusedToo() throws Exception {
        try (RecordingStore recording = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
            StoreLockedException refused = assertThrows(StoreLockedException.class,
                    () -> RecordingStore.open(store, SegmentPolicy.DEFAULT));
            assertTrue(refused.getMessage().contains("(this process)"), refused.getMessage());
            assertThrows(IllegalStateException.class, () -> {
                try (CameraWriter a = recording.camera("twice"); CameraWriter b = recording.camera("twice")) {
                    fail("two writers for one camera");
                }
            });
        }
    }
}
