package io.virta.producer.ingest;

import io.netty.channel.nio.NioEventLoopGroup;
import io.virta.bus.ChannelReader;
import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.bus.Frame;
import io.virta.bus.PullStatus;
import io.virta.demo.camera.DemoCamera;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.server.MediaMount;
import io.virta.rtsp.server.RtspServer;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The colour tags of a camera's stream reach its YUV channel, end to end through the producer:
 * ffmpeg-made clips with and without tags through the FFmpeg source, and the demo camera over RTSP.
 */
@Timeout(60)
class ColorTagsIngestTest {
    private static final int FRAMES = 5;

    @Test
    void bt709FullRangeClipIsPublishedAsBt709Full() throws Exception {
        assertYuvColour("url: " + TestClips.h264ColorTagged("bt709", "pc") + "\nloop: true",
                ColorMatrix.BT709, ColorRange.FULL);
    }

    @Test
    void bt470bgLimitedRangeClipIsPublishedAsBt601Limited() throws Exception {
        assertYuvColour("url: " + TestClips.h264ColorTagged("bt470bg", "tv") + "\nloop: true",
                ColorMatrix.BT601, ColorRange.LIMITED);
    }

    @Test
    void anUntaggedClipIsPublishedAsUnspecified() throws Exception {
        Path untagged = TestClips.h264Small();
        assertYuvColour("url: " + untagged + "\nloop: true", ColorMatrix.UNSPECIFIED, ColorRange.UNSPECIFIED);
    }

    @Test
    void theDemoCamerasYuvIsBt601Limited() throws Exception {
        NioEventLoopGroup serverLoop = new NioEventLoopGroup(1);
        try (DemoCamera camera = new DemoCamera(320, 240, 25)) {
            MediaMount mount = new MediaMount("demo", VideoCodec.H264);
            camera.addListener(mount::publish);
            try (RtspServer server = new RtspServer(serverLoop).mount(mount).bind("127.0.0.1", 0)) {
                camera.start();
                assertYuvColour("url: " + server.url("demo") + "\ntransport: tcp", ColorMatrix.BT601, ColorRange.LIMITED);
            }
        } finally {
            serverLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static void assertYuvColour(String cameraYaml, ColorMatrix matrix, ColorRange range) throws Exception {
        try (IngestHarness h = new IngestHarness(cameraYaml)) {
            h.awaitEvent("online", Duration.ofSeconds(20));
            String channel = h.camera + ".yuv";
            try (ChannelReader reader = ChannelReader.builder(channel).awaitWriter(Duration.ofSeconds(20))
                    .start(ChannelReader.Start.NEXT).open()) {
                for (int i = 0; i < FRAMES; i++) {
                    PullStatus status = reader.pull(Duration.ofSeconds(10));
                    assertEquals(PullStatus.FRAME, status, channel + " delivers frames; events " + h.events);
                    Frame frame = reader.frame();
                    assertEquals(matrix, frame.colorMatrix(), channel + " frame " + frame.sequence());
                    assertEquals(range, frame.colorRange(), channel + " frame " + frame.sequence());
                }
            }
        }
    }
}
