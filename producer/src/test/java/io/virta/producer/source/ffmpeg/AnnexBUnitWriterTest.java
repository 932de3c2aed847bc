package io.virta.producer.source.ffmpeg;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class AnnexBUnitWriterTest {
    private static final HexFormat HEX = HexFormat.of();
    // H264 NAL headers: AUD 09, SPS 67, PPS 68, IDR slice 65, non-IDR slice 41.
    private static final String SPS = "6742c01e";
    private static final String PPS = "68ce3c80";

    private static byte[] hex(String text) {
        return HEX.parseHex(text.replace(" ", ""));
    }

    private static String written(AnnexBUnitWriter writer) {
        AccessUnit unit = writer.unit();
        byte[] bytes = new byte[unit.size()];
        unit.data().get(0, bytes);
        return HEX.formatHex(bytes);
    }

    private static boolean write(AnnexBUnitWriter writer, String packet, boolean keyframe) {
        byte[] bytes = hex(packet);
        return writer.write(MemorySegment.ofArray(bytes), 0, bytes.length, keyframe);
    }

    @Test
    void everyNalUnitGetsAFourByteStartCodeAndLosesTrailingZeros() {
        AnnexBUnitWriter writer = new AnnexBUnitWriter();
        assertTrue(write(writer, "ff 000001 0910 0000 000001 41aa00 00000001 41bb 0000", false));
        assertEquals("000000010910" + "0000000141aa" + "0000000141bb", written(writer));
        assertEquals(0, writer.unit().data().position());
    }

    @Test
    void aKeyframeWithoutParameterSetsGetsTheStreamsAfterItsDelimiter() {
        AnnexBUnitWriter writer = new AnnexBUnitWriter();
        writer.configure(VideoCodec.H264, AnnexBUnitWriter.parameterSets(hex("000001" + SPS + "000001" + PPS + "00000106aa"),
                VideoCodec.H264));
        assertTrue(write(writer, "00000109f0 0000000165aabb", true));
        assertEquals("0000000109f0" + "00000001" + SPS + "00000001" + PPS + "0000000165aabb", written(writer));
        assertTrue(write(writer, "0000000165aabb", true));
        assertEquals("00000001" + SPS + "00000001" + PPS + "0000000165aabb", written(writer), "no delimiter: in front");
        assertTrue(write(writer, "00000109f0", true));
        assertEquals("0000000109f0" + "00000001" + SPS + "00000001" + PPS, written(writer), "after a lone delimiter");
        assertEquals(3, writer.parameterSetsInserted());
    }

    @Test
    void aKeyframeWithItsOwnParameterSetsAndOtherPicturesAreLeftAlone() {
        AnnexBUnitWriter writer = new AnnexBUnitWriter();
        writer.configure(VideoCodec.H264, hex("00000001" + SPS + "00000001" + PPS));
        assertTrue(write(writer, "00000001" + SPS + "00000001" + PPS + "0000000165aa", true));
        assertEquals("00000001" + SPS + "00000001" + PPS + "0000000165aa", written(writer));
        assertTrue(write(writer, "0000000141aa", false));
        assertEquals("0000000141aa", written(writer));
        assertEquals(0, writer.parameterSetsInserted());
    }

    @Test
    void anH265KeyframeNeedsItsVpsToo() {
        AnnexBUnitWriter writer = new AnnexBUnitWriter();
        // VPS 40 01, SPS 42 01, PPS 44 01, IDR_W_RADL 26 01.
        writer.configure(VideoCodec.H265, hex("00000001 4001aa 00000001 4201bb 00000001 4401cc"));
        assertTrue(write(writer, "00000001 4201bb 00000001 4401cc 00000001 2601dd", true));
        assertEquals("000000014001aa000000014201bb000000014401cc" + "000000014201bb000000014401cc000000012601dd",
                written(writer));
    }

    @Test
    void aKeyframeWithoutParameterSetsInAStreamThatHasNoneIsCounted() {
        AnnexBUnitWriter writer = new AnnexBUnitWriter();
        assertTrue(write(writer, "0000000165aa", true));
        assertEquals(1, writer.keyframesWithoutParameterSets());
    }

    @Test
    void aPacketWithoutNalUnitsIsRefused() {
        AnnexBUnitWriter writer = new AnnexBUnitWriter();
        assertTrue(write(writer, "0000000141aa", false));
        assertFalse(write(writer, "41aa5566", false));
        assertFalse(write(writer, "00000001", false));
        assertFalse(write(writer, "", false));
        assertEquals(3, writer.malformedPackets());
        assertEquals("0000000141aa", written(writer), "the unit is unchanged");
    }

    @Test
    void theBufferGrowsToTheLargestUnitWithPadding() {
        AnnexBUnitWriter writer = new AnnexBUnitWriter();
        byte[] big = new byte[1 << 20];
        Arrays.fill(big, (byte) 0x55);
        big[0] = 0;
        big[1] = 0;
        big[2] = 1;
        big[3] = 0x65;
        AccessUnit before = writer.unit();
        assertTrue(writer.write(MemorySegment.ofArray(big), 0, big.length, false));
        assertNotSame(before, writer.unit());
        assertEquals(big.length + 1, writer.unit().size(), "a 4-byte start code for the 3-byte one");
        assertTrue(writer.unit().data().capacity() - writer.unit().size() >= AnnexBUnitWriter.PADDING);
        AccessUnit grown = writer.unit();
        assertTrue(write(writer, "0000000141aa", false));
        assertSame(grown, writer.unit(), "it does not shrink back");
    }

    /**
     * Packets from a network input are whatever the other side sends: seeded random mutations of
     * real units, and plain noise, must never make the writer throw or write anything but 4-byte
     * start codes followed by NAL units.
     */
    @Test
    void fuzzedPacketsNeverBreakTheWriter() throws IOException {
        byte[] clip = Files.readAllBytes(TestClips.h264Small());
        AnnexBUnitWriter writer = new AnnexBUnitWriter();
        writer.configure(VideoCodec.H264, AnnexBUnitWriter.parameterSets(Arrays.copyOf(clip, 64), VideoCodec.H264));
        SplittableRandom random = new SplittableRandom(20261124);
        for (int round = 0; round < 20_000; round++) {
            byte[] packet;
            if (round % 10 == 0) {
                packet = new byte[random.nextInt(0, 200)];
                random.nextBytes(packet);
            } else {
                int from = random.nextInt(clip.length - 1);
                packet = Arrays.copyOfRange(clip, from, Math.min(clip.length, from + random.nextInt(1, 3000)));
                for (int m = random.nextInt(0, 8); m > 0; m--) {
                    int at = random.nextInt(packet.length);
                    switch (random.nextInt(3)) {
                        case 0 -> packet[at] = 0;
                        case 1 -> packet[at] = 1;
                        default -> packet[at] = (byte) random.nextInt(256);
                    }
                }
            }
            boolean keyframe = random.nextBoolean();
            if (writer.write(MemorySegment.ofArray(packet), 0, packet.length, keyframe)) {
                assertWellFormed(writer.unit(), round);
            }
        }
        assertTrue(writer.malformedPackets() > 0, "noise without start codes came along");
    }

    private static void assertWellFormed(AccessUnit unit, int round) {
        byte[] b = new byte[unit.size()];
        unit.data().get(0, b);
        assertTrue(b.length >= 5 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 1, "round " + round);
        assertTrue(unit.data().capacity() - b.length >= AnnexBUnitWriter.PADDING, "round " + round);
        for (int i = 0; i + 2 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) {
                assertTrue(i > 0 && b[i - 1] == 0, "a 3-byte start code in round " + round);
                assertTrue(i + 3 < b.length, "a start code without a NAL unit in round " + round);
            }
        }
        assertNotEquals(0, b[b.length - 1], "a trailing zero in round " + round);
    }
}
