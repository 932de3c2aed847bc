package io.virta.producer.decode;

import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.bus.Frame;
import io.virta.bus.PixelFormat;
import io.virta.bus.PullStatus;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The I420 publisher's conversion path and limits, and the encoded publisher. */
class PublishersTest {

    @Test
    void pictureInAnotherLayoutIsConvertedIntoTheCellLikeFfmpegDoes() throws IOException {
        TestClips.Clip clip = TestClips.h264Yuv422();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        try (DecodePipeline p = new DecodePipeline(clip.codec(), 1, clip.width(), clip.height())) {
            p.decodeAll(stream, DecodePipeline.evenTimes(stream.unitCount()));
            assertEquals(TestClips.frameMd5(TestClips.FFMPEG, clip.container(), null, "yuv420p"), p.yuvFrames.md5);
            assertEquals(0, p.yuv.unconvertible());
            assertEquals(Set.of(ColorMatrix.UNSPECIFIED), Set.copyOf(p.yuvFrames.matrices), "the clip has no tags");
            assertEquals(Set.of(ColorRange.UNSPECIFIED), Set.copyOf(p.yuvFrames.ranges));
        }
    }

    @Test
    void aConvertedYuvjPictureIsScaledToLimitedRangeAndSaysSo() throws IOException {
        TestClips.Clip clip = TestClips.h264Yuv422FullRange();
        byte[] source = TestClips.rawFrames(clip.container(), "null", "yuvj422p");  // as decoded, no conversion
        DecodePipeline.Channel frames = convertedFrames(clip);
        assertEquals(Set.of(ColorMatrix.BT709), Set.copyOf(frames.matrices), "swscale keeps the matrix");
        assertEquals(Set.of(ColorRange.LIMITED), Set.copyOf(frames.ranges));
        // The luma went from 0..255 to 16..235: what the label says is what the pixels are.
        assertLuma(frames.payloads.getFirst(), clip, i -> 16 + (source[i] & 0xFF) * 219.0 / 255);
    }

    @Test
    void aConvertedTenBitPictureKeepsItsRangeAndSaysSo() throws IOException {
        TestClips.Clip clip = TestClips.h264TenBitFullRange();
        byte[] source = TestClips.rawFrames(clip.container(), "null", "yuv420p10le");
        DecodePipeline.Channel frames = convertedFrames(clip);
        assertEquals(Set.of(ColorMatrix.BT2020), Set.copyOf(frames.matrices));
        assertEquals(Set.of(ColorRange.FULL), Set.copyOf(frames.ranges), "swscale only dropped the two low bits");
        assertLuma(frames.payloads.getFirst(), clip,
                i -> ((source[2 * i] & 0xFF) | (source[2 * i + 1] & 0xFF) << 8) / 4.0);
    }

    private static DecodePipeline.Channel convertedFrames(TestClips.Clip clip) throws IOException {
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        try (DecodePipeline p = new DecodePipeline(clip.codec(), 1, clip.width(), clip.height())) {
            p.yuvFrames.keepPayloads = true;
            p.decodeAll(stream, DecodePipeline.evenTimes(stream.unitCount()));
            assertEquals(stream.unitCount(), p.yuvFrames.count(), "every picture was converted");
            return p.yuvFrames;
        }
    }

    /** Every luma sample of the first frame within one level of {@code expected} of the source sample's index. */
    private static void assertLuma(byte[] published, TestClips.Clip clip, java.util.function.IntToDoubleFunction expected) {
        for (int i = 0; i < clip.width() * clip.height(); i++) {
            double want = expected.applyAsDouble(i);
            assertTrue(Math.abs((published[i] & 0xFF) - want) <= 1.0,
                    "luma sample " + i + ": " + (published[i] & 0xFF) + ", expected about " + want);
        }
    }

    @Test
    void aPictureLargerThanTheCellIsSkippedAndTheNextMarked() throws IOException {
        AnnexBStream small = AnnexBStream.read(TestClips.h264Small().annexB(), VideoCodec.H264);
        AnnexBStream large = AnnexBStream.read(TestClips.h264Large().annexB(), VideoCodec.H264);
        // Cells sized for 320x240: the 640x480 pictures in the middle do not fit.
        try (DecodePipeline p = new DecodePipeline(VideoCodec.H264, 1, 320, 240)) {
            AccessUnit unit = AccessUnit.allocate(Math.max(small.maxUnitSize(), large.maxUnitSize()) + 64);
            int sequence = 0;
            for (AnnexBStream part : new AnnexBStream[] {small, large, small}) {
                for (int i = 0; i < part.unitCount(); i++) {
                    DecodePipeline.load(part, i, unit, 1_000_000L + sequence * 40_000L);
                    p.decode(unit.sequence(++sequence));
                }
            }
            p.flush();
            assertEquals(25, p.yuv.tooLarge());
            assertEquals(100, p.yuvFrames.count());
            for (int i = 0; i < 100; i++) {
                assertEquals(i == 50, p.yuvFrames.discontinuities.get(i), "discontinuity flag of frame " + i);
            }
        }
    }

    @Test
    void onlyI420ChannelsAreAccepted() {
        String name = "t.decode.i420." + ProcessHandle.current().pid();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.yuv420p(name, 64, 48).format(PixelFormat.NV12))) {
            var e = assertThrows(IllegalArgumentException.class, () -> new I420Publisher(writer));
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
    }

    @Test
    void encodedUnitsArePublishedAsTheyCame() throws IOException {
        for (TestClips.Clip clip : new TestClips.Clip[] {TestClips.h264Small(), TestClips.h265()}) {
            AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
            String name = "t.decode.encoded." + ProcessHandle.current().pid();
            try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.ENCODED)
                    .capacity(stream.maxUnitSize()).cells(4));
                 ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
                EncodedPublisher publisher = new EncodedPublisher(writer).streamId(3);
                AccessUnit unit = DecodePipeline.unitFor(stream);
                long[] times = DecodePipeline.evenTimes(stream.unitCount());
                for (int i = 0; i < stream.unitCount(); i++) {
                    DecodePipeline.load(stream, i, unit, times[i]);
                    publisher.onAccessUnit(unit);
                    assertEquals(PullStatus.FRAME, reader.poll());
                    Frame f = reader.frame();
                    assertEquals(unit.data().duplicate().position(0), f.payloadBuffer(), clip.name() + " unit " + i);
                    assertEquals(clip.codec() == VideoCodec.H265 ? PixelFormat.H265 : PixelFormat.H264, f.format());
                    assertEquals(stream.isKeyframe(i), f.isKeyframe());
                    assertEquals(times[i], f.captureTimeMicros());
                    assertEquals(times[i] + 1000, f.arrivalTimeMicros());
                    assertEquals(3, f.streamId());
                    assertFalse(f.isDiscontinuity());
                }
                assertEquals(stream.unitCount(), publisher.published());
            }
        }
    }

    @Test
    void anOversizedOrMissingUnitMarksTheNextDiscontinuous() {
        String name = "t.decode.encoded.small." + ProcessHandle.current().pid();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.ENCODED).capacity(100));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            EncodedPublisher publisher = new EncodedPublisher(writer);
            AccessUnit unit = AccessUnit.allocate(1000);
            unit.data().limit(500);
            publisher.onAccessUnit(unit.sequence(1));
            assertEquals(1, publisher.skipped());
            unit.data().limit(50);
            publisher.onAccessUnit(unit.sequence(2));
            assertEquals(PullStatus.FRAME, reader.poll());
            assertTrue(reader.frame().isDiscontinuity());
            publisher.onAccessUnit(unit.sequence(3));
            assertEquals(PullStatus.FRAME, reader.poll());
            assertFalse(reader.frame().isDiscontinuity());
            publisher.onAccessUnit(unit.sequence(9));
            assertEquals(PullStatus.FRAME, reader.poll());
            assertTrue(reader.frame().isDiscontinuity(), "a gap in sequence numbers");
        }
    }
}
