package io.virta.producer.source.ffmpeg;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.testkit.TestClips;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ground rule: once warm, the source allocates nothing per unit: demuxing, the Annex-B filter,
 * rewriting into the unit, timestamps, looping back to the start. Measured as the source thread's
 * own allocated bytes between rounds of units (read inside the sink, which runs on that thread).
 * Until C2 has compiled every step, C1 code allocates temporaries, and on a busy two-core machine
 * that can take a while: rounds go on until one allocates nothing, for at most 60 s.
 */
class FfmpegSourceAllocationTest {
    private static final int ROUND = 1000;
    private static final long GIVE_UP_NANOS = 60_000_000_000L;

    /** Counts units and measures the bytes each round allocated, allocating nothing itself. */
    private static final class Meter implements AccessUnitListener {
        private final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private long units;
        private long roundStart = -1;
        volatile double fewestPerUnit = Double.MAX_VALUE;
        volatile long rounds;

        @Override
        public void onAccessUnit(AccessUnit unit) {
            if (++units % ROUND != 0) {
                return;
            }
            long now = threads.getCurrentThreadAllocatedBytes();
            if (roundStart >= 0) {
                fewestPerUnit = Math.min(fewestPerUnit, (now - roundStart) / (double) ROUND);
                rounds++;
            }
            roundStart = now;
        }
    }

    static Stream<Path> clips() {
        // Raw Annex-B (looping by byte position), and mkv through the avcC-to-Annex-B filter.
        return Stream.of(TestClips.h264Small(), TestClips.h264BFrames());
    }

    @ParameterizedTest
    @MethodSource("clips")
    void noAllocationPerUnitOnceWarm(Path clip) {
        Meter meter = new Meter();
        try (FfmpegSource source = new FfmpegSource("alloc", FfmpegSourceOptions.of(clip.toString()).withRealtime(false)
                .withLoop(true), meter, codec -> { }, null)) {
            source.start();
            long giveUp = System.nanoTime() + GIVE_UP_NANOS;
            Recorder.awaitCondition(() -> meter.fewestPerUnit < 1 || System.nanoTime() - giveUp > 0,
                    Duration.ofSeconds(90), () -> "no verdict");
            assertTrue(meter.fewestPerUnit < 1, "bytes allocated per unit, best of " + meter.rounds + " rounds: "
                    + meter.fewestPerUnit + "; last error: " + source.lastError());
            assertTrue(source.loops() > 0);
        }
    }
}
