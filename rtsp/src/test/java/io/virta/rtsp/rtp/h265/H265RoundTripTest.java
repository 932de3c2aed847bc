package io.virta.rtsp.rtp.h265;

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

/** A real x265 clip (AUDs, VPS/SPS/PPS before every IRAP, two slices a picture) round-trips byte for byte. */
class H265RoundTripTest {
    private static final long FIRST_TIMESTAMP = 0x1_0000_0000L - 5 * RoundTrip.FRAME_TICKS;
    private static final Predicate<byte[]> IRAP = nal -> AnnexB.h265Type(nal) >= 16 && AnnexB.h265Type(nal) <= 23;

    private static List<List<byte[]>> units;

    @BeforeAll
    static void encode() {
        units = AnnexB.splitAtDelimiters(AnnexB.splitNalUnits(FfmpegClips.h265()), nal -> AnnexB.h265Type(nal) == 35);
        assertEquals(50, units.size(), "2 s at 25 fps");
        assertTrue(units.get(0).stream().anyMatch(IRAP) && units.get(25).stream().anyMatch(IRAP));
    }

    private static List<ByteBuffer> packets(List<List<byte[]>> source) {
        return RoundTrip.packetize(TestPacketizer.h265(1200, 65_530), source, FIRST_TIMESTAMP);
    }

    @Test
    void everyAccessUnitComesBackIdentical() {
        List<ByteBuffer> packets = packets(units);
        int[] types = RoundTrip.payloadTypeHistogram(packets, true);
        assertTrue(types[48] > 0 && types[49] > 0, "the clip exercises aggregation and fragmentation");
        UnitCollector collector = new UnitCollector();
        H265Depacketizer depacketizer = new H265Depacketizer(collector);
        RoundTrip.feed(packets, depacketizer);
        RoundTrip.assertUnits(units, IRAP, collector, FIRST_TIMESTAMP);
        assertEquals(0, depacketizer.counters().unitsDropped());
    }

    @Test
    void reorderedAndDuplicatedPacketsComeBackIdenticalThroughTheReorderer() {
        UnitCollector collector = new UnitCollector();
        H265Depacketizer depacketizer = new H265Depacketizer(collector);
        Reorderer reorderer = new Reorderer(64, 50_000_000, depacketizer);
        RoundTrip.feedThrough(reorderer, RoundTrip.shuffleAndDuplicate(packets(units), new Random(7798), 20));
        assertEquals(0, reorderer.lost() + reorderer.late());
        assertEquals(0, depacketizer.counters().unitsDropped());
        RoundTrip.assertUnits(units, IRAP, collector, FIRST_TIMESTAMP);
    }

    @Test
    void aBareMarkerlessStreamComesBackWithParameterSetsFromTheSdp() {
        List<byte[]> parameterSets = new ArrayList<>();
        List<List<byte[]>> bare = new ArrayList<>();
        List<List<byte[]>> expected = new ArrayList<>();
        for (List<byte[]> unit : units) {
            List<byte[]> withoutDelimiter = new ArrayList<>(unit.subList(1, unit.size()));
            expected.add(withoutDelimiter);
            List<byte[]> rest = new ArrayList<>();
            for (byte[] nal : withoutDelimiter) {
                int type = AnnexB.h265Type(nal);
                if (type >= 32 && type <= 34) {
                    if (parameterSets.size() < 3) {
                        parameterSets.add(nal);
                    }
                } else {
                    rest.add(nal);
                }
            }
            bare.add(rest);
        }
        UnitCollector collector = new UnitCollector();
        H265Depacketizer depacketizer = new H265Depacketizer(collector, 1 << 20, parameterSets, false);
        RoundTrip.feed(packets(bare).stream().map(RoundTrip::withoutMarker).toList(), depacketizer);
        depacketizer.flush();
        RoundTrip.assertUnits(expected, IRAP, collector, FIRST_TIMESTAMP);
        assertEquals(6, depacketizer.counters().parameterSetsInserted());
    }
}
