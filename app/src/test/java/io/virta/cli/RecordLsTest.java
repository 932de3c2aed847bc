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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code virta record ls} over an index with a gap, read beside the store's open writer: spans, gaps and
 * ranges as the user reads them, in the clock's zone. (StandaloneRecorderTest lists a store a real
 * recorder made.)
 */
class RecordLsTest {
    /** 2026-12-07T10:00:00+02:00. */
    private static final long TEN = Instant.parse("2026-12-07T08:00:00Z").getEpochSecond() * 1_000_000;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T08:10:00Z"), ZoneOffset.ofHours(2));

    @Test
    void spansAndGapsOverTheWholeStoreOrARange(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        try (RecordingStore writing = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
            // lobby: 10:00:00-10:01:00 and 10:01:00.5-10:02:00 (one span: closer than 2 s), then 10:05:00-10:06:00.
            segment(writing, 1, "lobby", TEN, TEN + 60_000_000);
            segment(writing, 2, "lobby", TEN + 60_500_000, TEN + 120_000_000);
            segment(writing, 3, "lobby", TEN + 300_000_000, TEN + 360_000_000);
            segment(writing, 4, "yard", TEN + 30_000_000, TEN + 90_000_000);

            assertEquals("""
                    store %s: 2 camera(s), 2026-12-07T10:00:00.000+02:00 to 2026-12-07T10:06:00.000+02:00
                    lobby: 3 segment(s), 300.0 KB, h264 1920x1080
                      recorded 2026-12-07T10:00:00.000+02:00 .. 2026-12-07T10:02:00.000+02:00  (2m00s)
                      gap      2026-12-07T10:02:00.000+02:00 .. 2026-12-07T10:05:00.000+02:00  (3m00s)
                      recorded 2026-12-07T10:05:00.000+02:00 .. 2026-12-07T10:06:00.000+02:00  (1m00s)
                    yard: 1 segment(s), 100.0 KB, h264 1920x1080
                      gap      2026-12-07T10:00:00.000+02:00 .. 2026-12-07T10:00:30.000+02:00  (30.0s)
                      recorded 2026-12-07T10:00:30.000+02:00 .. 2026-12-07T10:01:30.000+02:00  (1m00s)
                      gap      2026-12-07T10:01:30.000+02:00 .. 2026-12-07T10:06:00.000+02:00  (4m30s)
                    """.formatted(store), ls("--store", store.toString()));

            assertEquals("""
                    store %s: 1 camera(s), 2026-12-07T10:01:30.000+02:00 to 2026-12-07T10:09:00.000+02:00
                    lobby: 2 segment(s), 200.0 KB, h264 1920x1080
                      recorded 2026-12-07T10:01:30.000+02:00 .. 2026-12-07T10:02:00.000+02:00  (30.0s)
                      gap      2026-12-07T10:02:00.000+02:00 .. 2026-12-07T10:05:00.000+02:00  (3m00s)
                      recorded 2026-12-07T10:05:00.000+02:00 .. 2026-12-07T10:06:00.000+02:00  (1m00s)
                      gap      2026-12-07T10:06:00.000+02:00 .. 2026-12-07T10:09:00.000+02:00  (3m00s)
                    """.formatted(store), ls("--store", store.toString(), "--camera", "lobby",
                    "--from", "2026-12-07T08:01:30Z", "--to", "-1m"));
        }
    }

    private static String ls(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Virta.run(new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)), CLOCK, Virta.command("record", Virta.command("ls", args)));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A sealed segment of 100 KB of records, with a keyframe at its start, as a recorder indexes it. */
    private static void segment(RecordingStore store, long id, String camera, long start, long end) {
        store.index().addSegment(new SegmentRow(id, camera, "cameras/" + camera + "/" + StoreCheck.hex(id) + ".vseg",
                PixelFormat.H264, 1920, 1080, start, end, 100_000, 100_000, SegmentState.SEALED));
        store.index().addKeyframe(id, start, start, 4096);
    }
}
