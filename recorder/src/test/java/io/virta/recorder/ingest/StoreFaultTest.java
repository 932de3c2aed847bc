package io.virta.recorder.ingest;

import io.virta.recorder.Recorder;
import io.virta.recorder.ingest.BusStream.StoredFrame;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real store faults (issue 15): a disk that fills up (a small tmpfs mounted for the test) and a store
 * directory removed while recording. The camera pauses, says why, damages nothing already recorded,
 * and resumes by itself when the disk has room again; a store that is gone is never recreated in its
 * place.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StoreFaultTest {
    /** Small segments, so that a new one (and its preallocation) comes every two GOPs or so. */
    private static final SegmentPolicy POLICY = SegmentPolicy.DEFAULT.withSegmentBytes(256 << 10)
            .withSync(Duration.ofMillis(100));
    private static final IngestOptions OPTIONS = IngestOptions.DEFAULT.withRetryAfter(Duration.ofMillis(200));

    @TempDir
    Path temp;

    @Test
    void aFullDiskPausesTheCameraAndRecordingResumesOnceThereIsRoom() throws Exception {
        Path disk = temp.resolve("disk");
        Files.createDirectories(disk);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", disk.toString()) == 0,
                "mounting a 3 MiB tmpfs needs root (CAP_SYS_ADMIN); CI runs as root");
        try (BusStream stream = BusStream.create("rec-enospc", 64)) {
            Path store = disk.resolve("store");
            Path filler = disk.resolve("filler");
            Files.write(filler, new byte[3 << 19]); // half the disk
            try (Recorder recorder = Recorder.open(store, POLICY, List.of(CameraChannel.h264(stream.camera)), OPTIONS)) {
                ChannelRecorder camera = recorder.camera(stream.camera);
                stream.awaitReader();
                while (camera.pauses() == 0) {
                    stream.publish(0);
                    Thread.sleep(2);
                    assertTrue(stream.writer.sequence() < 100_000, "the disk never filled");
                }
                ChannelRecorderTest.await(() -> camera.problem().isPresent(), "the camera to say why it paused", camera);
                assertTrue(camera.problem().orElseThrow().contains(store.toString()), camera.problem().orElseThrow());
                Files.delete(filler);
                long resumeFrom = stream.writer.sequence();
                for (int i = 0; i < 3 * BusStream.GOP; i++) {
                    stream.publishPaced(0, camera);
                }
                long end = stream.writer.sequence();
                ChannelRecorderTest.await(() -> camera.lastWrittenSequence() == end, "recording to resume", camera);
                assertEquals(RecordingState.RECORDING, camera.state());
                assertTrue(camera.problem().isEmpty(), "the problem is cleared once frames are written again");
                assertTrue(camera.lastWrittenSequence() > resumeFrom);
            }
            try (RecordingStore reopened = RecordingStore.open(store, POLICY)) {
                assertEquals(0, reopened.recovery().damagedRecords(), reopened.recovery().toString());
                List<StoredFrame> stored = BusStream.read(store, reopened.index(), stream.camera);
                assertFalse(stored.isEmpty());
                for (StoredFrame frame : stored) {
                    assertTrue(frame.matches(0), "frame " + frame.sequence() + " damaged by the full disk");
                }
                assertEquals(stream.writer.sequence(), stored.getLast().sequence());
            }
        } finally {
            assertEquals(0, run("umount", disk.toString()), "unmounting the test's tmpfs");
        }
    }

    @Test
    void aStoreRemovedWhileRecordingPausesTheCameraAndIsNotRecreated() throws Exception {
        Path store = temp.resolve("store");
        try (BusStream stream = BusStream.create("rec-gone", 64);
             Recorder recorder = Recorder.open(store, POLICY, List.of(CameraChannel.h264(stream.camera)), OPTIONS)) {
            ChannelRecorder camera = recorder.camera(stream.camera);
            stream.awaitReader();
            for (int i = 0; i < 2 * BusStream.GOP; i++) {
                stream.publishPaced(0, camera);
            }
            ChannelRecorderTest.await(() -> camera.lastWrittenSequence() == 2 * BusStream.GOP, "the first frames", camera);
            deleteTree(store);
            long publishedBefore = stream.writer.sequence();
            while (camera.state() != RecordingState.PAUSED) {
                stream.publish(0);
                Thread.sleep(20);
                assertTrue(stream.writer.sequence() - publishedBefore < 2_000, "the camera never noticed");
            }
            ChannelRecorderTest.await(() -> camera.problem().orElse("").contains("is gone"), "the reason", camera);
            // An empty directory where the store was, as an unmounted disk's mount point looks: still paused.
            Files.createDirectories(store);
            long pausesBefore = camera.pauses();
            for (int i = 0; i < 3 * BusStream.GOP; i++) {
                stream.publish(0);
                Thread.sleep(10);
            }
            ChannelRecorderTest.await(() -> camera.pauses() >= pausesBefore + 2, "retries", camera);
            try (Stream<Path> written = Files.list(store)) {
                assertEquals(0, written.count(), "nothing may be written in place of a store that is gone");
            }
            assertEquals(RecordingState.PAUSED, camera.state());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().transferTo(System.out);
        return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }
}
