package io.virta.producer.ingest;

import io.virta.producer.testing.FfmpegReference;
import io.virta.producer.testing.FfmpegRtpSender;
import io.virta.producer.testing.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.virta.producer.ingest.IngestHarness.assertContiguousRun;

/** A camera given as an SDP file, end to end: ffmpeg sends RTP to a multicast group on loopback. */
@Timeout(60)
class SdpIngestTest {
    @Test
    void multicastFromFfmpegIsDecodedFrameExact(@TempDir Path dir) throws Exception {
        Path clip = TestClips.h264Small();
        Path sdp = dir.resolve("cam.sdp");
        try (FfmpegRtpSender sender = FfmpegRtpSender.start(clip, FfmpegRtpSender.randomGroup(),
                FfmpegRtpSender.freePortPair(), sdp);
             IngestHarness h = new IngestHarness("sdp: " + sender.sdpFile() + "\ninterface: lo")) {
            h.awaitEvent("online", Duration.ofSeconds(20));
            assertContiguousRun(FfmpegReference.frameMd5Yuv420p(clip), h.frameMd5s(h.camera + ".yuv", 30));
        }
    }
}
