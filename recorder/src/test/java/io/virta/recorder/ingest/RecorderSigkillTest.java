package io.virta.recorder.ingest;

import io.virta.recorder.Recorder;
import io.virta.recorder.ingest.BusStream.StoredFrame;
import io.virta.recorder.store.ChildRecorder;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SIGKILL of a recorder while the bus writer publishes loses nothing the recorder had appended
 * (issue 15), proven by bus sequence numbers: a child JVM records and prints each sequence after its
 * append returned; after the kill, a new recorder on the same store recovers it and goes on.
 */
class RecorderSigkillTest {
    private static final int ROUNDS = 3;

    @TempDir
    Path store;

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void framesAppendedBeforeAKillArePresentAfterRecoveryAndTheNextRecorderGoesOn() throws Exception {
        SplittableRandom random = new SplittableRandom(0x5EC0_4DE4L);
        List<Long> printed = new ArrayList<>();
        AtomicBoolean publishing = new AtomicBoolean(true);
        try (BusStream stream = BusStream.create("rec-kill", 512)) {
            Thread publisher = Thread.ofPlatform().name("publisher").start(() -> {
                while (publishing.get()) {
                    stream.publish(0);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    Process child = ChildRecorder.startJava(RecorderChild.class, store.toString(), stream.camera);
                    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                            StandardCharsets.US_ASCII));
                    int frames = 20 + random.nextInt(300);
                    String line = null;
                    for (int i = 0; i < frames && (line = out.readLine()) != null; i++) {
                        printed.add(Long.parseLong(line.trim()));
                    }
                    assertNotNull(line, "the child recorder ended by itself; see its stderr above");
                    child.toHandle().destroyForcibly(); // SIGKILL, in the middle of the publisher's stream
                    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                    while ((line = out.readLine()) != null) {
                        printed.add(Long.parseLong(line.trim())); // printed before the kill landed: owed too
                    }
                }
                SegmentPolicy policy = SegmentPolicy.DEFAULT.withSegmentBytes(1 << 20).withSync(Duration.ofMillis(200));
                try (Recorder next = Recorder.open(store, policy, List.of(CameraChannel.h264(stream.camera)),
                        IngestOptions.DEFAULT)) {
                    System.out.println("after " + ROUNDS + " kills, " + printed.size() + " frames printed; "
                            + next.store().recovery());
                    ChannelRecorder camera = next.camera(stream.camera);
                    ChannelRecorderTest.await(() -> camera.framesWritten() >= 3L * BusStream.GOP,
                            "the next recorder to go on", camera);
                }
            } finally {
                publishing.set(false);
                publisher.join();
            }
            try (RecordingStore reopened = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
                assertEquals(0, reopened.recovery().damagedRecords(), reopened.recovery().toString());
                List<StoredFrame> stored = BusStream.read(store, reopened.index(), stream.camera);
                for (int i = 1; i < stored.size(); i++) {
                    assertTrue(stored.get(i).sequence() > stored.get(i - 1).sequence(), "frames out of order at " + i);
                }
                int at = 0;
                for (long sequence : printed) {
                    while (at < stored.size() && stored.get(at).sequence() < sequence) {
                        at++;
                    }
                    assertTrue(at < stored.size() && stored.get(at).sequence() == sequence,
                            "frame " + sequence + " was appended before a kill and is missing");
                    assertTrue(stored.get(at).matches(0), "frame " + sequence + " is damaged");
                }
                assertTrue(stored.getLast().sequence() > printed.getLast() + 2L * BusStream.GOP,
                        "the recorder after the kills recorded on");
            }
        }
    }
}
