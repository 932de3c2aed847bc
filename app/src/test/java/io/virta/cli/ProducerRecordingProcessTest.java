package io.virta.cli;

import io.virta.producer.recording.RecordedCameraYaml;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code virta producer} recording a camera, as a user runs it (docs/recording.md): its status line
 * shows the frames written, and SIGTERM seals the camera's segment and prints no error, so that the
 * store needs no recovery when it is opened again.
 */
@Timeout(90)
class ProducerRecordingProcessTest {
    private static final Pattern WRITTEN = Pattern.compile("record recording: (\\d+) frames");

    @Test
    void sigtermSealsTheSegmentsAndPrintsNoError(@TempDir Path dir) throws Exception {
        String camera = "rproc" + ProcessHandle.current().pid();
        Path store = dir.resolve("store");
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start()) {
            Path config = dir.resolve("cameras.yaml");
            Files.writeString(config, RecordedCameraYaml.of(store, camera, server.url("/cam"),
                    "control: { listen: \"127.0.0.1:0\" }\nevents: { enabled: false }\n", 10));
            Path out = dir.resolve("producer.out");
            Path err = dir.resolve("producer.err");
            Process producer = new ProcessBuilder(VirtaJvm.command("producer", "--config", config.toString(),
                    "--status-every", "0.5")).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (framesWritten(Files.readString(out)) < TestClips.FPS) {
                assertTrue(producer.isAlive(), "the producer runs: " + Files.readString(out) + Files.readString(err));
                assertTrue(System.nanoTime() < giveUp, "a second recorded within 40 s: " + Files.readString(out));
                Thread.sleep(100);
            }
            producer.destroy();   // SIGTERM
            assertTrue(producer.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
            String all = Files.readString(out) + "\n" + Files.readString(err);
            assertEquals(143, producer.exitValue(), all);
            for (String bad : new String[] {"Exception", "\tat ", "error", "SEVERE", "WARNING"}) {
                assertFalse(all.contains(bad), "a clean stop prints no '" + bad.strip() + "':\n" + all);
            }
        }
        try (RecordingStore reopened = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
            assertTrue(reopened.recovery().clean(), reopened.recovery().toString());
            List<SegmentRow> segments = reopened.index().segments(camera, Long.MIN_VALUE, Long.MAX_VALUE);
            assertFalse(segments.isEmpty());
            for (SegmentRow segment : segments) {
                assertEquals(SegmentState.SEALED, segment.state(), "sealed by the producer's stop: " + segment);
            }
        }
    }

    /** The last "record recording: N frames" of the status lines; 0 before the first. */
    private static long framesWritten(String output) {
        Matcher m = WRITTEN.matcher(output);
        long last = 0;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }
}
