package io.virta.producer.ingest;

import io.virta.testkit.FfmpegReference;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;

import static io.virta.producer.ingest.IngestHarness.assertContiguousRun;

/** A camera that is a file FFmpeg opens, end to end through the producer. */
@Timeout(60)
class FfmpegIngestTest {
    @Test
    void aLoopingFileIsDecodedFrameExact() throws Exception {
        Path clip = TestClips.h264BFrames();
        try (IngestHarness h = new IngestHarness("url: " + clip + "\nloop: true")) {
            h.awaitEvent("online", Duration.ofSeconds(20));
            assertContiguousRun(FfmpegReference.frameMd5Yuv420p(clip), h.frameMd5s(h.camera + ".yuv", 30));
        }
    }
}
