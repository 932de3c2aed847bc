package io.virta.producer.mux.fmp4;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.H264Sps;
import io.virta.rtsp.media.H265Sps;
import io.virta.rtsp.media.VideoCodec;
import io.virta.testkit.ExternalCommand;
import io.virta.testkit.TestClips;
import io.virta.producer.source.ffmpeg.FfmpegSource;
import io.virta.producer.source.ffmpeg.FfmpegSourceOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The muxer's boxes, read back by a parser here and by ffprobe; units come from a real clip via FFmpeg. */
class Fmp4MuxerTest {
    /** x264's baseline SPS and PPS for 320x240 (what {@link TestClips#h264Small()} starts with). */
    private static byte[] sps;
    private static byte[] pps;
    /** x265's VPS, SPS and PPS for 640x360 ({@link TestClips#h265()}). */
    private static byte[][] hevcSets;

    /** Collects the muxer's output for a whole clip, as a file would hold it. */
    private static final class FileSink {
        final Fmp4Muxer muxer = new Fmp4Muxer();
        final ByteArrayOutputStream file = new ByteArrayOutputStream();
        final MemorySegment scratch = Arena.ofAuto().allocate(4 << 20);
        volatile int units;
        boolean initWritten;

        void onAccessUnit(AccessUnit unit) {
            units++;
            if (!muxer.accept(unit)) {
                return;
            }
            if (!initWritten) {
                if (!muxer.isKeyframe()) {
                    return;
                }
                append(muxer.writeInit(scratch, 0));
                initWritten = true;
            }
            long size = muxer.writeFragment(scratch, 0);
            assertEquals(muxer.fragmentSize(), size, "fragmentSize() matches what was written");
            append(size);
        }

        private void append(long size) {
            file.writeBytes(scratch.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    private static FileSink muxClip(Path clip) throws InterruptedException {
        FileSink sink = new FileSink();
        int expected = TestClips.frameCount(clip);
        try (FfmpegSource source = new FfmpegSource("fmp4-test", FfmpegSourceOptions.of(clip.toString())
                .withRealtime(false), sink::onAccessUnit, codec -> { }, null)) {
            source.start();
            long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (sink.units < expected && System.nanoTime() < giveUp) {
                Thread.sleep(20);
            }
        }
        assertEquals(expected, sink.units, "units FFmpeg read from " + clip);
        return sink;
    }

    @Test
    void ffprobeReadsEveryFrameWithKeyframesAndFortyMillisecondSteps(@TempDir Path dir) throws Exception {
        assertPlaysEveryFrame(TestClips.h264Small(), dir);
    }

    @Test
    void h265ClipBecomesHvc1ThatFfprobePlays(@TempDir Path dir) throws Exception {
        assertPlaysEveryFrame(TestClips.h265(), dir);
    }

    private static void assertPlaysEveryFrame(Path clip, Path dir) throws Exception {
        FileSink sink = muxClip(clip);
        Path out = dir.resolve("clip.mp4");
        Files.write(out, sink.file.toByteArray());

        assertEquals(TestClips.frameCount(clip), TestClips.frameCount(out), "frames ffprobe decodes from " + out);
        ExternalCommand.Result frames = ExternalCommand.run(Duration.ofSeconds(30), ExternalCommand.FFPROBE, "-v",
                "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame,pts_time", "-of", "csv=p=0",
                out.toString());
        assertTrue(frames.succeeded(), frames.describe());
        // The first frame's side data (x264's SEI) comes out as an empty line of its own.
        List<String> lines = frames.stdout().strip().lines().filter(line -> !line.isBlank()).toList();
        assertEquals(TestClips.frameCount(clip), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String[] fields = lines.get(i).split(",");
            assertEquals(i % TestClips.GOP == 0 ? "1" : "0", fields[0], "key_frame of frame " + i);
            assertEquals(i * 0.04, Double.parseDouble(fields[1]), 1e-6, "pts_time of frame " + i);
        }
    }

    @Test
    void initSegmentBoxesNestWithTheirDeclaredSizes() {
        Fmp4Muxer muxer = new Fmp4Muxer();
        assertTrue(muxer.accept(unit(true, 0, sps, pps, idrSlice())), muxer.lastRefusal());
        MemorySegment out = Arena.ofAuto().allocate(4096);
        int size = muxer.writeInit(out, 16);
        assertEquals(muxer.initSize(), size);
        byte[] bytes = out.asSlice(16, size).toArray(ValueLayout.JAVA_BYTE);
        List<BoxTree> boxes = BoxTree.parse(bytes, 0, bytes.length);
        assertEquals(List.of("ftyp", "moov"), boxes.stream().map(BoxTree::type).toList());
        assertEquals(List.of("mvhd", "trak", "mvex"), BoxTree.find(boxes, "moov").childTypes());
        assertEquals(List.of("tkhd", "mdia"), BoxTree.find(boxes, "moov/trak").childTypes());
        assertEquals(List.of("mdhd", "hdlr", "minf"), BoxTree.find(boxes, "moov/trak/mdia").childTypes());
        assertEquals(List.of("vmhd", "dinf", "stbl"), BoxTree.find(boxes, "moov/trak/mdia/minf").childTypes());
        assertEquals(List.of("stsd", "stts", "stsc", "stsz", "stco"),
                BoxTree.find(boxes, "moov/trak/mdia/minf/stbl").childTypes());
        assertNotNull(BoxTree.find(boxes, "moov/mvex/trex"));
        BoxTree avcc = BoxTree.find(boxes, "moov/trak/mdia/minf/stbl/stsd/avc1/avcC");
        assertNotNull(avcc);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertEquals(8 + 8 + sps.length + 3 + pps.length, avcc.size());
        byte[] storedSps = new byte[sps.length];
        b.get(avcc.offset() + 16, storedSps);
        assertArrayEquals(sps, storedSps, "avcC carries the SPS as it came");
        BoxTree tkhd = BoxTree.find(boxes, "moov/trak/tkhd");
        assertEquals(320 << 16, b.getInt(tkhd.offset() + tkhd.size() - 8), "tkhd width, 16.16");
        assertEquals(240 << 16, b.getInt(tkhd.offset() + tkhd.size() - 4), "tkhd height, 16.16");
    }

    @Test
    void fragmentCarriesLengthPrefixedNalUnitsWithoutParameterSets() {
        Fmp4Muxer muxer = new Fmp4Muxer();
        byte[] slice = idrSlice();
        assertTrue(muxer.accept(unit(true, 1000, new byte[] {9, (byte) 0xF0}, sps, pps, slice)));
        MemorySegment out = Arena.ofAuto().allocate(4096);
        long size = muxer.writeFragment(out, 0);
        byte[] bytes = out.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE);
        List<BoxTree> boxes = BoxTree.parse(bytes, 0, bytes.length);
        assertEquals(List.of("moof", "mdat"), boxes.stream().map(BoxTree::type).toList());
        assertEquals(List.of("mfhd", "traf"), BoxTree.find(boxes, "moof").childTypes());
        assertEquals(List.of("tfhd", "tfdt", "trun"), BoxTree.find(boxes, "moof/traf").childTypes());
        assertEquals(Fmp4Muxer.MOOF_SIZE, BoxTree.find(boxes, "moof").size());
        BoxTree mdat = BoxTree.find(boxes, "mdat");
        assertEquals(8 + 4 + slice.length, mdat.size(), "only the slice, behind a 4-byte length");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertEquals(slice.length, b.getInt(mdat.offset() + 8));
        BoxTree trun = BoxTree.find(boxes, "moof/traf/trun");
        assertEquals(mdat.offset() + 8, b.getInt(trun.offset() + 16), "data offset from the moof to the sample");
        assertEquals(0x0200_0000, b.getInt(trun.offset() + 28), "sync sample flags");

        assertTrue(muxer.accept(unit(false, 1000 + 3600, slice)));
        assertEquals(3600, muxer.decodeTime());
        size = muxer.writeFragment(out, 0);
        b = ByteBuffer.wrap(out.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(0x0101_0000, b.getInt(100 - 4), "non-sync sample flags");
        assertEquals(3600, b.getInt(100 - 12), "duration: the gap before this sample");
    }

    @Test
    void oddParameterSetsAreRefusedWithAReasonAndNeverThrow() {
        SplittableRandom random = new SplittableRandom(6);
        for (int round = 0; round < 5000; round++) {
            byte[] oddSps;
            if (round % 2 == 0) {
                oddSps = sps.clone();
                for (int flips = random.nextInt(1, 4); flips > 0; flips--) {
                    oddSps[random.nextInt(1, oddSps.length)] ^= (byte) (1 << random.nextInt(8));
                }
            } else {
                oddSps = new byte[random.nextInt(1, 40)];
                random.nextBytes(oddSps);
                oddSps[0] = 0x67;
            }
            int length = round % 7 == 0 ? random.nextInt(1, oddSps.length + 1) : oddSps.length;
            try {
                H264Sps info = new H264Sps().parse(oddSps, length);
                assertTrue(info.width() > 0 && info.height() > 0, "a parsed SPS has a picture size");
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage().startsWith("H264 SPS") || expected.getMessage().startsWith("not an"),
                        expected.getMessage());
            }
            Fmp4Muxer muxer = new Fmp4Muxer();
            byte[] cut = java.util.Arrays.copyOf(oddSps, length);
            if (muxer.accept(unit(true, 0, cut, pps, idrSlice()))) {
                MemorySegment out = Arena.ofAuto().allocate(muxer.initSize());
                assertEquals(muxer.initSize(), muxer.writeInit(out, 0));
            } else {
                assertNotNull(muxer.lastRefusal());
            }
        }
        Fmp4Muxer muxer = new Fmp4Muxer();
        assertFalse(muxer.accept(unit(false, 0, idrSlice())), "no parameter sets yet");
        assertEquals("no valid SPS and PPS yet", muxer.lastRefusal());
        AccessUnit h265 = unit(true, 0, sps, pps, idrSlice()).codec(VideoCodec.H265);
        assertFalse(muxer.accept(h265), "H264 parameter sets do not describe an H265 stream");
        assertEquals("no valid VPS, SPS and PPS yet", muxer.lastRefusal());
    }

    @Test
    void hevcInitSegmentCarriesVpsSpsAndPpsInHvcC() {
        Fmp4Muxer muxer = new Fmp4Muxer();
        byte[] idr = {0x26, 0x01, (byte) 0xAF, 0x11, 0x22};
        AccessUnit unit = unit(true, 0, hevcSets[0], hevcSets[1], hevcSets[2], idr).codec(VideoCodec.H265);
        assertTrue(muxer.accept(unit), muxer.lastRefusal());
        MemorySegment out = Arena.ofAuto().allocate(4096);
        int size = muxer.writeInit(out, 0);
        assertEquals(muxer.initSize(), size);
        byte[] bytes = out.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE);
        List<BoxTree> boxes = BoxTree.parse(bytes, 0, bytes.length);
        BoxTree hvcc = BoxTree.find(boxes, "moov/trak/mdia/minf/stbl/stsd/hvc1/hvcC");
        assertNotNull(hvcc);
        assertEquals(8 + 23 + 3 * 5 + hevcSets[0].length + hevcSets[1].length + hevcSets[2].length, hvcc.size());
        assertEquals(3, bytes[hvcc.offset() + 8 + 22], "numOfArrays: VPS, SPS, PPS");
        BoxTree tkhd = BoxTree.find(boxes, "moov/trak/tkhd");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertEquals(640 << 16, b.getInt(tkhd.offset() + tkhd.size() - 8));
        assertEquals(360 << 16, b.getInt(tkhd.offset() + tkhd.size() - 4));
        assertEquals(Fmp4Muxer.MOOF_SIZE + 8 + 4 + idr.length, muxer.fragmentSize(), "the sample holds the slice only");
    }

    @Test
    void oddHevcSpsIsRefusedWithAReason() {
        SplittableRandom random = new SplittableRandom(265);
        for (int round = 0; round < 5000; round++) {
            byte[] odd = hevcSets[1].clone();
            for (int flips = random.nextInt(1, 4); flips > 0; flips--) {
                odd[random.nextInt(2, odd.length)] ^= (byte) (1 << random.nextInt(8));
            }
            int length = round % 5 == 0 ? random.nextInt(1, odd.length + 1) : odd.length;
            try {
                H265Sps info = new H265Sps().parse(odd, length);
                assertTrue(info.width() > 0 && info.height() > 0);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage().startsWith("H265 SPS") || expected.getMessage().startsWith("not an"),
                        expected.getMessage());
            }
        }
    }

    @org.junit.jupiter.api.BeforeAll
    static void parameterSetsOfTheClip() throws Exception {
        hevcSets = new byte[3][];
        byte[] hevc = Files.readAllBytes(TestClips.h265());
        ByteBuffer h = ByteBuffer.wrap(hevc);
        int at = io.virta.rtsp.media.AnnexB.nextNalStart(h, 0, hevc.length);
        while (at >= 0 && hevcSets[2] == null) {
            int end = io.virta.rtsp.media.AnnexB.nalEnd(h, at, hevc.length);
            int type = hevc[at] >> 1 & 0x3F;
            if (type >= 32 && type <= 34 && hevcSets[type - 32] == null) {
                hevcSets[type - 32] = java.util.Arrays.copyOfRange(hevc, at, end);
            }
            at = io.virta.rtsp.media.AnnexB.nextNalStart(h, end, hevc.length);
        }
        byte[] stream = Files.readAllBytes(TestClips.h264Small());
        ByteBuffer b = ByteBuffer.wrap(stream);
        int start = io.virta.rtsp.media.AnnexB.nextNalStart(b, 0, stream.length);
        while (start >= 0 && (sps == null || pps == null)) {
            int end = io.virta.rtsp.media.AnnexB.nalEnd(b, start, stream.length);
            int type = stream[start] & 0x1F;
            if (type == 7) {
                sps = java.util.Arrays.copyOfRange(stream, start, end);
            } else if (type == 8) {
                pps = java.util.Arrays.copyOfRange(stream, start, end);
            }
            start = io.virta.rtsp.media.AnnexB.nextNalStart(b, end, stream.length);
        }
        assertNotNull(sps);
        assertNotNull(pps);
    }

    private static byte[] idrSlice() {
        return new byte[] {0x65, (byte) 0x88, (byte) 0x84, 0x00, 0x21, (byte) 0xFF};
    }

    /** An Annex-B unit of {@code nals}, each behind a 4-byte start code. */
    private static AccessUnit unit(boolean keyframe, long rtpTimestamp, byte[]... nals) {
        AccessUnit unit = AccessUnit.allocate(8192);
        ByteBuffer data = unit.data().clear();
        for (byte[] nal : nals) {
            data.putInt(1).put(nal);
        }
        data.flip();
        return unit.keyframe(keyframe).rtpTimestamp(rtpTimestamp).codec(VideoCodec.H264);
    }
}
