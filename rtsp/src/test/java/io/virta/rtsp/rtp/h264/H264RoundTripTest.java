package io.virta.rtsp.rtp.h264;

import io.virta.rtsp.rtp.AnnexB;
import io.virta.rtsp.rtp.FfmpegClips;
import io.virta.rtsp.rtp.Reorderer;
import io.virta.rtsp.rtp.RoundTrip;
import io.virta.rtsp.rtp.TestPacketizer;
import io.virta.rtsp.rtp.UnitCollector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A real x264 clip (AUDs, SPS/PPS before every IDR, four slices a picture) packetized with an MTU of
 * 1200 and depacketized again must give back its access units byte for byte.
 */
class H264RoundTripTest {
    private static final int MTU_PAYLOAD = 1200;
    /** Ten frames before the 32-bit timestamp wraps; sequence numbers wrap early too. */
    private static final long FIRST_TIMESTAMP = 0x1_0000_0000L - 10 * RoundTrip.FRAME_TICKS;
    private static final int FIRST_SEQUENCE_NUMBER = 65_500;
    private static final Predicate<byte[]> IDR = nal -> AnnexB.h264Type(nal) == 5;

    private static List<List<byte[]>> units;

    @BeforeAll
    static void encode() {
        units = AnnexB.splitAtDelimiters(AnnexB.splitNalUnits(FfmpegClips.h264()), nal -> AnnexB.h264Type(nal) == 9);
        assertEquals(50, units.size(), "2 s at 25 fps");
        assertTrue(units.get(0).stream().anyMatch(IDR) && units.get(25).stream().anyMatch(IDR));
    }

    private static List<ByteBuffer> packets(List<List<byte[]>> source) {
        return RoundTrip.packetize(TestPacketizer.h264(MTU_PAYLOAD, FIRST_SEQUENCE_NUMBER), source, FIRST_TIMESTAMP);
    }

    @Test
    void everyAccessUnitComesBackIdentical() {
        List<ByteBuffer> packets = packets(units);
        int[] types = RoundTrip.payloadTypeHistogram(packets, false);
        assertTrue(types[24] > 0 && types[28] > 0 && types[1] + types[5] > 0,
                "the clip exercises STAP-A, FU-A and single NAL unit packets");
        UnitCollector collector = new UnitCollector();
        H264Depacketizer depacketizer = new H264Depacketizer(collector);
        RoundTrip.feed(packets, depacketizer);
        RoundTrip.assertUnits(units, IDR, collector, FIRST_TIMESTAMP);
        assertEquals(0, depacketizer.counters().unitsDropped());
        assertEquals(0, depacketizer.counters().parameterSetsInserted());
    }

    @Test
    void reorderedAndDuplicatedPacketsComeBackIdenticalThroughTheReorderer() {
        List<ByteBuffer> shuffled = RoundTrip.shuffleAndDuplicate(packets(units), new Random(6184), 20);
        UnitCollector collector = new UnitCollector();
        H264Depacketizer depacketizer = new H264Depacketizer(collector);
        Reorderer reorderer = new Reorderer(64, 50_000_000, depacketizer);
        RoundTrip.feedThrough(reorderer, shuffled);
        RoundTrip.assertUnits(units, IDR, collector, FIRST_TIMESTAMP);
        assertTrue(reorderer.reordered() > 0 && reorderer.duplicates() > 0);
        assertEquals(0, reorderer.lost());
    }

    /**
     * A camera without AUDs, marker bits or in-band SPS/PPS (they are in the SDP only): units are split by
     * timestamp, and keyframes get the SDP's parameter sets in front.
     */
    @Test
    void aBareStreamComesBackWithParameterSetsFromTheSdp() {
        List<byte[]> parameterSets = new ArrayList<>();
        List<List<byte[]>> bare = new ArrayList<>();
        List<List<byte[]>> expected = new ArrayList<>();
        for (List<byte[]> unit : units) {
            List<byte[]> withoutDelimiter = new ArrayList<>(unit.subList(1, unit.size()));
            expected.add(withoutDelimiter);
            List<byte[]> slicesAndSei = new ArrayList<>();
            for (byte[] nal : withoutDelimiter) {
                int type = AnnexB.h264Type(nal);
                if (type == 7 || type == 8) {
                    if (parameterSets.size() < 2) {
                        parameterSets.add(nal);
                    }
                } else {
                    slicesAndSei.add(nal);
                }
            }
            bare.add(slicesAndSei);
        }
        List<ByteBuffer> packets = packets(bare).stream().map(RoundTrip::withoutMarker).toList();
        UnitCollector collector = new UnitCollector();
        H264Depacketizer depacketizer = new H264Depacketizer(collector, H264Depacketizer.DEFAULT_MAX_ACCESS_UNIT_SIZE,
                parameterSets);
        RoundTrip.feed(packets, depacketizer);
        depacketizer.flush();
        RoundTrip.assertUnits(expected, IDR, collector, FIRST_TIMESTAMP);
        assertEquals(4, depacketizer.counters().parameterSetsInserted(), "two keyframes, SPS and PPS each");
    }
}
