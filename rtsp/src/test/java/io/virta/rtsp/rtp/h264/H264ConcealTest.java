package io.virta.rtsp.rtp.h264;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.rtp.AnnexB;
import io.virta.rtsp.rtp.LossPolicy;
import io.virta.rtsp.rtp.RtpPackets;
import io.virta.rtsp.rtp.h264.H264DepacketizerTest.Packets;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.virta.rtsp.rtp.h264.H264DepacketizerTest.IDR;
import static io.virta.rtsp.rtp.h264.H264DepacketizerTest.P;
import static io.virta.rtsp.rtp.h264.H264DepacketizerTest.PPS;
import static io.virta.rtsp.rtp.h264.H264DepacketizerTest.SPS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link LossPolicy#CONCEAL}: units touched by loss are emitted flagged damaged until a whole keyframe. */
class H264ConcealTest {
    private record Unit(long timestamp, boolean keyframe, boolean damaged, byte[] data) {
    }

    private final List<Unit> units = new ArrayList<>();
    private final H264Depacketizer depacketizer = new H264Depacketizer(this::collect,
            H264Depacketizer.DEFAULT_MAX_ACCESS_UNIT_SIZE, List.of(), LossPolicy.CONCEAL);

    private void collect(AccessUnit unit) {
        byte[] data = new byte[unit.size()];
        unit.data().get(0, data);
        units.add(new Unit(unit.rtpTimestamp(), unit.isKeyframe(), unit.isDamaged(), data));
    }

    private void feed(Packets packets) {
        for (ByteBuffer packet : packets.list) {
            depacketizer.onPacket(RtpPackets.wrap(packet.duplicate()));
        }
    }

    private static byte[] nal(byte[]... nals) {
        return AnnexB.join(List.of(nals));
    }

    @Test
    void aLostFragmentCutsItsNalUnitAndFlagsEveryUnitUntilTheNextKeyframe() {
        byte[] bigP = H264DepacketizerTest.slice(0x41, true, 3000, 9);
        Packets packets = new Packets(10).stapA(0, false, SPS, PPS).fuA(0, true, IDR, 3)   // 0..3
                .fuA(3600, true, bigP, 3)                                                  // 4..6
                .single(7200, true, P)                                                     // 7
                .stapA(10800, false, SPS, PPS).fuA(10800, true, IDR, 3)                    // 8..11
                .single(14400, true, P);                                                   // 12
        packets.drop(5); // the middle fragment of the big P slice
        feed(packets);

        assertEquals(5, units.size(), "no unit is lost: " + units);
        assertFalse(units.get(0).damaged(), "the keyframe before the loss is whole");
        Unit cut = units.get(1);
        assertTrue(cut.damaged());
        int firstPiece = (bigP.length - 1 + 2) / 3;
        assertArrayEquals(nal(Arrays.copyOf(bigP, 1 + firstPiece)), cut.data(),
                "the slice ends where its fragments stopped arriving");
        assertTrue(units.get(2).damaged(), "a picture referring to a damaged one is damaged too");
        assertTrue(units.get(3).keyframe() && !units.get(3).damaged(), "a whole keyframe ends the damage");
        assertFalse(units.get(4).damaged());
        assertEquals(2, depacketizer.counters().unitsDamaged(), "damaged: the cut P and the P after it");
        assertEquals(0, depacketizer.counters().unitsDropped());
    }

    @Test
    void beforeTheFirstWholeKeyframeThereIsNothingToConcealFrom() {
        Packets packets = new Packets(10).stapA(0, false, SPS, PPS).fuA(0, true, IDR, 3)
                .single(3600, true, P)
                .stapA(7200, false, SPS, PPS).fuA(7200, true, IDR, 3);
        packets.drop(2);
        feed(packets);
        assertEquals(1, units.size(), "the damaged first keyframe and the P after it are dropped: " + units);
        assertTrue(units.getFirst().keyframe() && !units.getFirst().damaged());
        assertEquals(2, depacketizer.counters().unitsDropped());
    }

    @Test
    void aCleanStreamIsNeverFlagged() {
        feed(new Packets(10).stapA(0, false, SPS, PPS).fuA(0, true, IDR, 3).single(3600, true, P)
                .fuA(7200, true, P, 2).stapA(10800, false, SPS, PPS).fuA(10800, true, IDR, 4));
        assertEquals(4, units.size());
        assertTrue(units.stream().noneMatch(Unit::damaged));
        assertEquals(0, depacketizer.counters().unitsDamaged());
    }
}
