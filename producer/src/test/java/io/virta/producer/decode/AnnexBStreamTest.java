package io.virta.producer.decode;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Splitting elementary streams into access units: real clips, hand-made edge cases, and fuzzing. */
class AnnexBStreamTest {

    private static int framesPerFfprobe(TestClips.Clip clip) {
        String out = TestClips.run(java.util.List.of(TestClips.FFPROBE, "-v", "error", "-count_frames", "-select_streams",
                "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", clip.container().toString()));
        return Integer.parseInt(out.trim());
    }

    @Test
    void cameraClipSplitsAtItsDelimiters() throws IOException {
        TestClips.Clip clip = TestClips.h264Small();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), VideoCodec.H264);
        assertEquals(framesPerFfprobe(clip), stream.unitCount());
        assertEquals(50, stream.unitCount());
        for (int i = 0; i < stream.unitCount(); i++) {
            int[] types = stream.nalTypes(i);
            assertEquals(9, types[0], "unit " + i + " starts with its AUD");
            assertEquals(i % 25 == 0, stream.isKeyframe(i));
            if (i % 25 == 0) {
                assertTrue(Arrays.stream(types).anyMatch(t -> t == 7) && Arrays.stream(types).anyMatch(t -> t == 8),
                        "parameter sets in band: " + Arrays.toString(types));
                assertEquals(5, types[types.length - 1]);
            } else {
                assertArrayEquals(new int[] {9, 1}, types);
            }
        }
        assertEquals(0, stream.malformedNals());
    }

    @Test
    void multiSliceClipWithoutDelimitersSplitsAtFirstSlices() throws IOException {
        TestClips.Clip clip = TestClips.h264Slices();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), VideoCodec.H264);
        assertEquals(framesPerFfprobe(clip), stream.unitCount());
        for (int i = 0; i < stream.unitCount(); i++) {
            int[] types = stream.nalTypes(i);
            assertEquals(4, Arrays.stream(types).filter(t -> t == 1 || t == 5).count(), Arrays.toString(types));
            assertTrue(Arrays.stream(types).noneMatch(t -> t == 9));
        }
    }

    @Test
    void bFrameAndH265ClipsHaveOneUnitPerPicture() throws IOException {
        for (TestClips.Clip clip : new TestClips.Clip[] {TestClips.h264BFrames(), TestClips.h265(), TestClips.h264Hd()}) {
            AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
            assertEquals(framesPerFfprobe(clip), stream.unitCount(), clip.name());
            assertTrue(stream.isKeyframe(0), clip.name());
        }
        AnnexBStream h265 = AnnexBStream.read(TestClips.h265().annexB(), VideoCodec.H265);
        for (int i = 0; i < h265.unitCount(); i++) {
            assertEquals(35, h265.nalTypes(i)[0], "H265 unit " + i + " starts with its AUD");
        }
    }

    @Test
    void picturesWithoutDelimitersAndShortStartCodes() {
        byte[] stream = bytes(
                0xAA, 0xBB,                               // garbage before the first start code
                0, 0, 0, 1, 0x67, 0x42, 0x00,             // SPS
                0, 0, 1, 0x68, 0xCE,                      // PPS, 3-byte start code
                0, 0, 1, 0x65, 0x88, 0x84,                // IDR slice, first_mb_in_slice 0
                0, 0, 1, 0x65, 0x21, 0x84, 0, 0,          // IDR slice, first_mb_in_slice 1; trailing zeros
                0, 0, 0, 1, 0x41, 0x9A, 0x01,             // P slice, first_mb_in_slice 0: next picture
                0, 0, 1,                                  // an empty NAL unit
                0, 0, 1, 0x41, 0x9A, 0x02);               // and another picture
        AnnexBStream split = AnnexBStream.split(stream, VideoCodec.H264);
        assertEquals(3, split.unitCount());
        assertArrayEquals(new int[] {7, 8, 5, 5}, split.nalTypes(0));
        assertArrayEquals(new int[] {1}, split.nalTypes(1));
        assertTrue(split.isKeyframe(0));
        assertFalse(split.isKeyframe(1));
        assertEquals(1, split.malformedNals());

        AccessUnit unit = AccessUnit.allocate(64);
        assertTrue(split.copyTo(0, unit));
        byte[] written = new byte[unit.size()];
        unit.data().get(0, written);
        assertArrayEquals(bytes(0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0xCE, 0, 0, 0, 1, 0x65, 0x88, 0x84,
                0, 0, 0, 1, 0x65, 0x21, 0x84), written, "4-byte start codes, no trailing zeros");
        assertEquals(written.length, split.unitSize(0));
        assertTrue(unit.isKeyframe());
        assertEquals(VideoCodec.H264, unit.codec());
        assertFalse(split.copyTo(0, AccessUnit.allocate(8)), "a unit that does not fit is refused");
    }

    @Test
    void h265PicturesSplitAtFirstSliceSegments() {
        byte[] stream = bytes(
                0, 0, 0, 1, 0x40, 0x01, 0x0C,             // VPS (32)
                0, 0, 0, 1, 0x42, 0x01, 0x01,             // SPS (33)
                0, 0, 0, 1, 0x44, 0x01, 0xC1,             // PPS (34)
                0, 0, 0, 1, 0x26, 0x01, 0xAF,             // IDR_W_RADL (19), first_slice_segment_in_pic_flag 1
                0, 0, 0, 1, 0x26, 0x01, 0x2F,             // another segment of the same picture
                0, 0, 0, 1, 0x02, 0x01, 0xD0,             // TRAIL_R (1), a new picture
                0, 0, 0, 1, 0x50, 0x01, 0x80,             // suffix SEI (40): stays with its picture
                0, 0, 0, 1, 0x02);                        // too short for an H265 header
        AnnexBStream split = AnnexBStream.split(stream, VideoCodec.H265);
        assertEquals(2, split.unitCount());
        assertArrayEquals(new int[] {32, 33, 34, 19, 19}, split.nalTypes(0));
        assertArrayEquals(new int[] {1, 40}, split.nalTypes(1));
        assertTrue(split.isKeyframe(0));
        assertFalse(split.isKeyframe(1));
        assertEquals(1, split.malformedNals());
    }

    @Test
    void nothingOrNoiseGivesNoUnits() {
        assertEquals(0, AnnexBStream.split(new byte[0], VideoCodec.H264).unitCount());
        assertEquals(0, AnnexBStream.split(bytes(0, 0), VideoCodec.H264).unitCount());
        assertEquals(0, AnnexBStream.split(bytes(1, 2, 3, 4, 5), VideoCodec.H265).unitCount());
        assertEquals(0, AnnexBStream.split(bytes(0, 0, 1), VideoCodec.H264).unitCount());
    }

    /** Seeded random damage to real streams: the split never throws and every unit it reports can be written. */
    @Test
    void fuzzedStreamsSplitWithoutSurprises() throws IOException {
        Random random = new Random(99);
        for (TestClips.Clip clip : new TestClips.Clip[] {TestClips.h264Slices(), TestClips.h265()}) {
            byte[] original = Arrays.copyOf(Files.readAllBytes(clip.annexB()), 6000);
            for (int iteration = 0; iteration < 2000; iteration++) {
                byte[] input = original.clone();
                int length = input.length;
                switch (random.nextInt(4)) {
                    case 0 -> {
                        for (int k = 1 + random.nextInt(16); k > 0; k--) {
                            input[random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
                        }
                    }
                    case 1 -> length = random.nextInt(length + 1);
                    case 2 -> {
                        for (int k = 1 + random.nextInt(8); k > 0; k--) {
                            int at = random.nextInt(length - 3);
                            input[at] = 0;
                            input[at + 1] = 0;
                            input[at + 2] = (byte) random.nextInt(3);
                        }
                    }
                    default -> {
                        int from = random.nextInt(length);
                        for (int i = from; i < Math.min(length, from + random.nextInt(200)); i++) {
                            input[i] = (byte) random.nextInt(256);
                        }
                    }
                }
                AnnexBStream split = AnnexBStream.split(Arrays.copyOf(input, length), clip.codec());
                AccessUnit unit = AccessUnit.allocate(Math.max(1, split.maxUnitSize()));
                for (int u = 0; u < split.unitCount(); u++) {
                    assertTrue(split.copyTo(u, unit));
                    assertTrue(unit.size() <= length + 4L * split.nalTypes(u).length);
                }
            }
        }
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
