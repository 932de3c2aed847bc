package io.virta.producer.ingest;

import io.virta.testkit.FfmpegReference;
import io.virta.testkit.FfmpegRtpSender;
import io.virta.testkit.TestClips;
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
