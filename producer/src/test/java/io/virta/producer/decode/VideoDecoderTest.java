package io.virta.producer.decode;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Decoding real clips into a real YUV420P channel, frame-exact against ffmpeg's framemd5 of the
 * same bitstream (Debian's ffmpeg 5.1: H264/H265 decoding is bit-exact by the standards, so the
 * FFmpeg version does not matter).
 */
class VideoDecoderTest {

    private static List<String> referenceI420(TestClips.Clip clip) {
        return TestClips.frameMd5(TestClips.FFMPEG, clip.container(), null, "yuv420p");
    }

    private static void assertFrameExact(TestClips.Clip clip, int threads) throws IOException {
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        List<String> reference = referenceI420(clip);
        try (DecodePipeline p = new DecodePipeline(clip.codec(), threads, clip.width(), clip.height())) {
            p.decodeAll(stream, DecodePipeline.evenTimes(stream.unitCount()));
            assertEquals(reference.size(), p.yuvFrames.count(), clip.name() + ": frames");
            assertEquals(reference, p.yuvFrames.md5, clip.name() + ": I420 MD5 of every frame");
            assertEquals(0, p.decoder.decodeErrors(), clip.name() + ": errors");
            assertEquals(0, p.decoder.corruptFrames(), clip.name() + ": corrupt frames");
            assertEquals(reference.size(), p.yuv.published());
            int[] geometry = p.yuvFrames.sizes.getFirst();
            int w = clip.width();
            int h = clip.height();
            assertArrayEquals(new int[] {w, h, w, w / 2, w / 2, w * h, w * h + w * h / 4, w * h * 3 / 2}, geometry,
                    "width, height, strides, plane offsets, payload size");
        }
    }

    @Test
    void h264CameraClipIsFrameExact() throws IOException {
        assertFrameExact(TestClips.h264Small(), 1);
    }

    @Test
    void h264HdClipIsFrameExact() throws IOException {
        assertFrameExact(TestClips.h264Hd(), 1);
    }

    @Test
    void multiSliceAccessUnitsAreFrameExact() throws IOException {
        assertFrameExact(TestClips.h264Slices(), 1);
    }

    @Test
    void h265IsFrameExact() throws IOException {
        assertFrameExact(TestClips.h265(), 1);
    }

    @Test
    void frameThreadsGiveTheSamePictures() throws IOException {
        assertFrameExact(TestClips.h264BFrames(), 3);
    }

    /**
     * B-frames: units go in in decode order with their presentation times (as RTP would give them);
     * pictures must come out in presentation order, each with its own unit's times.
     */
    @Test
    void bFramesComeOutInPresentationOrderWithTheirOwnTimes() throws IOException {
        TestClips.Clip clip = TestClips.h264BFrames();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        long[] pts = TestClips.packetPresentationMicros(clip.container());
        assertEquals(pts.length, stream.unitCount(), "one access unit per mkv packet");
        long epoch = 1_700_000_000_000_000L;
        long[] capture = new long[pts.length];
        boolean reordered = false;
        for (int i = 0; i < pts.length; i++) {
            capture[i] = epoch + pts[i];
            reordered |= i > 0 && pts[i] < pts[i - 1];
        }
        assertTrue(reordered, "the clip really has B-frames");
        List<String> reference = referenceI420(clip);
        try (DecodePipeline p = new DecodePipeline(clip.codec(), 1, clip.width(), clip.height())) {
            p.decodeAll(stream, capture);
            assertEquals(reference, p.yuvFrames.md5);
            long[] sorted = capture.clone();
            Arrays.sort(sorted);
            List<Long> expected = new ArrayList<>();
            for (long t : sorted) {
                expected.add(t);
            }
            assertEquals(expected, p.yuvFrames.captureMicros, "capture times in presentation order");
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(p.yuvFrames.captureMicros.get(i) + 1000, p.yuvFrames.arrivalMicros.get(i));
                assertEquals(i % 25 == 0, p.yuvFrames.keyframes.get(i), "keyframe flag of frame " + i);
            }
            assertEquals(0, p.decoder.timesUnknown());
            assertEquals(0, p.decoder.copiedUnits(), "units read in place");
        }
    }

    @Test
    void keyframesAndTimesOfACameraClip() throws IOException {
        TestClips.Clip clip = TestClips.h264Small();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        long[] times = DecodePipeline.evenTimes(stream.unitCount());
        try (DecodePipeline p = new DecodePipeline(clip.codec(), 1, clip.width(), clip.height())) {
            p.decodeAll(stream, times);
            for (int i = 0; i < times.length; i++) {
                assertEquals(times[i], p.yuvFrames.captureMicros.get(i));
                assertEquals(i % 25 == 0, p.yuvFrames.keyframes.get(i));
                assertFalse(p.yuvFrames.discontinuities.get(i));
            }
            assertEquals(times.length, p.decoder.framesDecoded());
            assertEquals(times.length, p.decoder.unitsDecoded());
            assertTrue(p.decoder.decodeNanos() > 0);
        }
    }

    /** Units without room for FFmpeg's padding still decode: avcodec copies them, and says so. */
    @Test
    void unitsWithoutPaddingAreCopiedOnce() throws IOException {
        TestClips.Clip clip = TestClips.h264Small();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        try (DecodePipeline p = new DecodePipeline(clip.codec(), 1, clip.width(), clip.height())) {
            long[] times = DecodePipeline.evenTimes(stream.unitCount());
            for (int i = 0; i < stream.unitCount(); i++) {
                AccessUnit tight = AccessUnit.allocate(stream.unitSize(i));
                DecodePipeline.load(stream, i, tight, times[i]);
                p.decode(tight);
            }
            p.flush();
            assertEquals(referenceI420(clip), p.yuvFrames.md5);
            assertEquals(stream.unitCount(), p.decoder.copiedUnits());
        }
    }

    /** An emitter that hands over a new buffer for every unit: each is wrapped, used in place, and let go. */
    @Test
    void aNewBufferForEveryUnitIsStillReadInPlace() throws IOException {
        TestClips.Clip clip = TestClips.h264BFrames();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        try (DecodePipeline p = new DecodePipeline(clip.codec(), 1, clip.width(), clip.height())) {
            long[] times = DecodePipeline.evenTimes(stream.unitCount());
            for (int i = 0; i < stream.unitCount(); i++) {
                AccessUnit fresh = AccessUnit.allocate(stream.unitSize(i) + VideoDecoder.PADDING);
                DecodePipeline.load(stream, i, fresh, times[i]);
                p.decode(fresh);
            }
            p.flush();
            assertEquals(referenceI420(clip), p.yuvFrames.md5);
            assertEquals(0, p.decoder.copiedUnits());
        }
    }

    @Test
    void aResolutionChangeMidStreamIsFollowed() throws IOException {
        TestClips.Clip clip = TestClips.h264ResolutionChange();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        try (DecodePipeline p = new DecodePipeline(clip.codec(), 1, 640, 480, 160, 120, ScalingAlgorithm.BICUBIC, 0)) {
            p.decodeAll(stream, DecodePipeline.evenTimes(stream.unitCount()));
            assertEquals(75, p.yuvFrames.count());
            assertEquals(320, p.yuvFrames.sizes.get(49)[0]);
            assertEquals(640, p.yuvFrames.sizes.get(50)[0]);
            assertEquals(640 * 480 * 3 / 2, p.yuvFrames.sizes.get(50)[7]);
            assertEquals(TestClips.frameMd5(TestClips.FFMPEG, TestClips.h264Small().annexB(), null, "yuv420p"),
                    p.yuvFrames.md5.subList(0, 50));
            assertEquals(75, p.rgbFrames.count(), "RGB frames at the channel's size throughout");
            assertEquals(160, p.rgbFrames.sizes.get(60)[0]);
            assertEquals(2, p.rgb.scalerContexts(), "a new swscale context for the new source size");
        }
    }

    @Test
    void wrongCodecAndEmptyUnitsAreCountedAndSkipped() throws IOException {
        TestClips.Clip clip = TestClips.h264Small();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        try (DecodePipeline p = new DecodePipeline(clip.codec(), 1, clip.width(), clip.height())) {
            AccessUnit unit = DecodePipeline.unitFor(stream);
            DecodePipeline.load(stream, 0, unit, 1);
            unit.codec(VideoCodec.H265);
            p.decode(unit);
            unit.data().limit(0);
            unit.codec(VideoCodec.H264);
            p.decode(unit);
            assertEquals(1, p.decoder.errors(DecodeError.WRONG_CODEC));
            assertEquals(1, p.decoder.errors(DecodeError.EMPTY_UNIT));
            assertEquals(DecodeError.EMPTY_UNIT, p.decoder.lastError());
            assertEquals(0, p.yuvFrames.count());
            DecodePipeline.load(stream, 0, unit, 1);
            p.decode(unit);
            assertEquals(1, p.yuvFrames.count(), "the decoder carries on");
            assertTrue(p.yuvFrames.discontinuities.getFirst(), "after units it had to skip");
        }
    }

    @Test
    void aGapInUnitSequenceMarksTheNextFrameDiscontinuous() throws IOException {
        TestClips.Clip clip = TestClips.h264Small();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        long[] times = DecodePipeline.evenTimes(stream.unitCount());
        try (DecodePipeline p = new DecodePipeline(clip.codec(), 1, clip.width(), clip.height())) {
            AccessUnit unit = DecodePipeline.unitFor(stream);
            for (int i = 0; i < 40; i++) {
                if (i >= 10 && i < 15) {
                    continue; // lost upstream
                }
                DecodePipeline.load(stream, i, unit, times[i]);
                p.decode(unit);
            }
            assertEquals(1, p.decoder.unitGaps());
            assertEquals(35, p.yuvFrames.count());
            for (int i = 0; i < 35; i++) {
                assertEquals(i == 10, p.yuvFrames.discontinuities.get(i), "discontinuity flag of frame " + i);
            }
        }
    }

    @Test
    void closedDecoderRefusesUnits() {
        VideoDecoder decoder = new VideoDecoder(VideoCodec.H264, frame -> { });
        decoder.close();
        decoder.close();
        assertThrows(IllegalStateException.class, () -> decoder.decode(AccessUnit.allocate(16)));
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        var e = assertThrows(IllegalArgumentException.class, () -> new VideoDecoder(VideoCodec.H264, 0, f -> { }));
        assertTrue(e.getMessage().contains("threads"), e.getMessage());
        assertEquals(org.bytedeco.ffmpeg.global.avcodec.AV_INPUT_BUFFER_PADDING_SIZE, VideoDecoder.PADDING);
        assertTrue(VideoDecoder.describe(org.bytedeco.ffmpeg.global.avutil.AVERROR_INVALIDDATA).contains("Invalid"));
    }
}
