package io.virta.producer.decode;

import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PixelFormat;
import io.virta.bus.PullStatus;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** swscale into RGB24 cells, against ffmpeg's {@code -vf scale=W:H:flags=...} of the same clip. */
class RgbPublisherTest {

    private static void assertMatchesFfmpeg(TestClips.Clip clip, int width, int height, ScalingAlgorithm algorithm,
            String ffmpegFlags) throws IOException {
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        try (DecodePipeline p = new DecodePipeline(clip.codec(), 1, clip.width(), clip.height(), width, height,
                algorithm, 0)) {
            p.decodeAll(stream, DecodePipeline.evenTimes(stream.unitCount()));
            String filter = "scale=" + width + ":" + height + ":flags=" + ffmpegFlags;
            List<String> debian = TestClips.frameMd5(TestClips.FFMPEG, clip.container(), filter, "rgb24");
            assertEquals(debian.size(), p.rgbFrames.count());
            assertEquals(debian, p.rgbFrames.md5, clip.name() + " to " + width + "x" + height + " " + ffmpegFlags
                    + ": RGB24 MD5 of every frame, against Debian's ffmpeg");
            // The same FFmpeg release as ours, as JavaCV ships it: the same answer.
            String javacvFfmpeg = Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
            assertEquals(debian, TestClips.frameMd5(javacvFfmpeg, clip.container(), filter, "rgb24"));
            int[] geometry = p.rgbFrames.sizes.getFirst();
            assertEquals(width, geometry[0]);
            assertEquals(height, geometry[1]);
            assertEquals(3 * width, geometry[2]);
            assertEquals(3 * width * height, geometry[7]);
            assertEquals(1, p.rgb.scalerContexts());
        }
    }

    @Test
    void sameSizeIsBitExactWithFfmpeg() throws IOException {
        assertMatchesFfmpeg(TestClips.h264Small(), 320, 240, ScalingAlgorithm.BICUBIC, "bicubic");
    }

    @Test
    void downScaleIsBitExactWithFfmpeg() throws IOException {
        assertMatchesFfmpeg(TestClips.h264Hd(), 640, 360, ScalingAlgorithm.BICUBIC, "bicubic");
    }

    @Test
    void upScaleWithAnotherAlgorithmIsBitExactWithFfmpeg() throws IOException {
        assertMatchesFfmpeg(TestClips.h264Small(), 400, 300, ScalingAlgorithm.BILINEAR, "bilinear");
    }

    @Test
    void bFrameClipIsBitExactWithFfmpeg() throws IOException {
        assertMatchesFfmpeg(TestClips.h264BFrames(), 320, 180, ScalingAlgorithm.BICUBIC, "bicubic");
    }

    private static DecodePipeline rateLimited(long intervalMicros, long[] times) throws IOException {
        TestClips.Clip clip = TestClips.h264Small();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        DecodePipeline p = new DecodePipeline(clip.codec(), 1, clip.width(), clip.height(), 160, 120,
                ScalingAlgorithm.BICUBIC, intervalMicros);
        p.decodeAll(stream, times);
        return p;
    }

    @Test
    void minimumIntervalDownSamplesByCaptureTime() throws IOException {
        long[] even = DecodePipeline.evenTimes(50);
        try (DecodePipeline p = rateLimited(0, even)) {
            assertEquals(50, p.rgbFrames.count());
        }
        try (DecodePipeline p = rateLimited(80_000, even)) {
            assertEquals(25, p.rgbFrames.count(), "every second frame");
            assertEquals(25, p.rgb.skippedByRate());
            assertEquals(50, p.yuvFrames.count(), "the I420 channel still gets every frame");
        }
        try (DecodePipeline p = rateLimited(100_000, even)) {
            assertEquals(17, p.rgbFrames.count(), "every third frame: 120 ms apart, the first at least 100 ms");
            for (int i = 1; i < 17; i++) {
                assertEquals(120_000, p.rgbFrames.captureMicros.get(i) - p.rgbFrames.captureMicros.get(i - 1));
            }
        }
    }

    @Test
    void cameraJitterDoesNotHalveTheRate() throws IOException {
        long[] jittery = DecodePipeline.evenTimes(50);
        for (int i = 0; i < jittery.length; i++) {
            jittery[i] += (i % 2 == 0 ? -1 : 1) * 1500; // ±1.5 ms around the 40 ms grid
        }
        try (DecodePipeline p = rateLimited(80_000, jittery)) {
            assertEquals(25, p.rgbFrames.count());
            for (int i = 1; i < 25; i++) {
                long gap = p.rgbFrames.captureMicros.get(i) - p.rgbFrames.captureMicros.get(i - 1);
                assertTrue(gap >= 70_000, "frames at least 7/8 of the interval apart: " + gap);
            }
        }
    }

    @Test
    void aCameraClockResetRestartsTheSchedule() throws IOException {
        long[] times = DecodePipeline.evenTimes(50);
        for (int i = 25; i < 50; i++) {
            times[i] -= 10_000_000; // the camera's clock jumps back 10 s
        }
        try (DecodePipeline p = rateLimited(200_000, times)) {
            // 0..24: every 5th (5 frames); 25: restart; 25..49 every 5th (5 frames).
            assertEquals(10, p.rgbFrames.count());
            assertEquals(times[25], p.rgbFrames.captureMicros.get(5));
        }
    }

    @Test
    void bgrChannelIsBitExactWithFfmpegAndBlueFirst() throws IOException {
        TestClips.Clip clip = TestClips.h264Small();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        String name = "t.decode.bgr." + ProcessHandle.current().pid();
        try (ChannelWriter rgbWriter = ChannelWriter.create(ChannelSpec.rgb24(name + ".rgb", 64, 48));
             ChannelWriter bgrWriter = ChannelWriter.create(ChannelSpec.rgb24(name + ".bgr", 64, 48)
                     .format(PixelFormat.BGR24));
             ChannelReader rgbReader = ChannelReader.builder(name + ".rgb").start(ChannelReader.Start.NEXT).open();
             ChannelReader bgrReader = ChannelReader.builder(name + ".bgr").start(ChannelReader.Start.NEXT).open();
             RgbPublisher rgb = new RgbPublisher(rgbWriter);
             RgbPublisher bgr = new RgbPublisher(bgrWriter);
             VideoDecoder decoder = new VideoDecoder(VideoCodec.H264, DecodedFrameListener.all(rgb, bgr))) {
            AccessUnit unit = DecodePipeline.unitFor(stream);
            List<String> md5 = new java.util.ArrayList<>();
            for (int i = 0; i < stream.unitCount(); i++) {
                DecodePipeline.load(stream, i, unit, 1 + i);
                decoder.decode(unit);
                assertEquals(PullStatus.FRAME, rgbReader.poll());
                assertEquals(PullStatus.FRAME, bgrReader.poll());
                assertEquals(PixelFormat.BGR24, bgrReader.frame().format());
                md5.add(DecodePipeline.md5(bgrReader.frame()));
                // swscale's RGB and BGR outputs are not byte swaps of each other (they round
                // differently), but the same picture.
                long difference = 0;
                for (int pixel = 0; pixel < 64 * 48; pixel++) {
                    for (int c = 0; c < 3; c++) {
                        int r = rgbReader.frame().byteAt(3L * pixel + c) & 0xFF;
                        int b = bgrReader.frame().byteAt(3L * pixel + 2 - c) & 0xFF;
                        difference += Math.abs(r - b);
                    }
                }
                assertTrue(difference / (64.0 * 48 * 3) < 1.0, "frame " + i + ": mean difference " + difference);
            }
            assertEquals(TestClips.frameMd5(TestClips.FFMPEG, clip.container(), "scale=64:48:flags=bicubic", "bgr24"), md5);
        }
    }

    @Test
    void aChannelWithoutNominalSizeGetsTheSourceSize() throws IOException {
        TestClips.Clip clip = TestClips.h264Small();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        String name = "t.decode.unsized." + ProcessHandle.current().pid();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RGB24).capacity(320 * 240 * 3));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open();
             RgbPublisher rgb = new RgbPublisher(writer);
             VideoDecoder decoder = new VideoDecoder(VideoCodec.H264, rgb)) {
            AccessUnit unit = DecodePipeline.unitFor(stream);
            DecodePipeline.load(stream, 0, unit, 1);
            decoder.decode(unit);
            assertEquals(PullStatus.FRAME, reader.poll());
            assertEquals(320, reader.frame().width());
            assertEquals(240, reader.frame().height());
            assertEquals(960, reader.frame().stride(0));
        }
    }

    @Test
    void aCellTooSmallForTheFrameIsCountedNotWritten() throws IOException {
        TestClips.Clip clip = TestClips.h264Small();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        String name = "t.decode.small." + ProcessHandle.current().pid();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RGB24).capacity(1000));
             RgbPublisher rgb = new RgbPublisher(writer);
             VideoDecoder decoder = new VideoDecoder(VideoCodec.H264, rgb)) {
            AccessUnit unit = DecodePipeline.unitFor(stream);
            DecodePipeline.load(stream, 0, unit, 1);
            decoder.decode(unit);
            assertEquals(1, rgb.tooLarge());
            assertEquals(0, writer.sequence());
        }
    }

    @Test
    void onlyRgbChannelsAreAccepted() {
        String name = "t.decode.wrong." + ProcessHandle.current().pid();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.yuv420p(name, 64, 48))) {
            var e = assertThrows(IllegalArgumentException.class, () -> new RgbPublisher(writer));
            assertTrue(e.getMessage().contains(name), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> new RgbPublisher(writer, ScalingAlgorithm.BICUBIC, -1));
            assertThrows(IllegalArgumentException.class, () -> new EncodedPublisher(writer));
        }
        assertEquals(ScalingAlgorithm.FAST_BILINEAR, ScalingAlgorithm.parse("fast-bilinear"));
        assertThrows(IllegalArgumentException.class, () -> ScalingAlgorithm.parse("cubic"));
    }
}
