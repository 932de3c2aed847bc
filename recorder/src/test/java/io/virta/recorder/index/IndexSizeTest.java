package io.virta.recorder.index;

import io.virta.bus.PixelFormat;
import io.virta.recorder.format.StoreLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The index stays within issue 15's goal of 300 KB per camera-hour at 25 fps (docs/recording-format.md
 * section 7.2): an hour of one camera with a keyframe every second, in 60 one-minute segments.
 */
class IndexSizeTest {
    @TempDir
    Path store;

    @Test
    void oneCameraHourTakesLessThan300Kilobytes() throws Exception {
        Path file = StoreLayout.indexFile(store);
        long base = 1_780_000_000_000_000L;
        try (RecordingIndex index = RecordingIndex.open(file)) {
            index.inTransaction(() -> {
                for (int minute = 0; minute < 60; minute++) {
                    long start = base + minute * 60_000_000L;
                    index.addSegment(new SegmentRow(minute + 1, "lobby", StoreLayout.relativeSegmentPath("lobby", minute + 1),
                            PixelFormat.H264, 1920, 1080, start, start + 59_960_000L, 30_000_000L, 30_000_000L,
                            SegmentState.SEALED));
                    for (int second = 0; second < 60; second++) {
                        index.addKeyframe(minute + 1, start, start + second * 1_000_000L, 4096 + second * 500_000L);
                    }
                }
            });
        }
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        long bytes = Files.size(file);
        System.out.println("index of one camera-hour (3600 keyframes, 60 segments): " + bytes + " bytes");
        assertTrue(bytes <= 300_000, bytes + " bytes");
    }
}
