package io.virta.rtsp.rtp.h265;

import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.rtp.AnnexB;
import io.virta.rtsp.rtp.DepacketizerCounters;
import io.virta.rtsp.rtp.DepacketizerError;
import io.virta.rtsp.rtp.RtpPackets;
import io.virta.rtsp.rtp.UnitCollector;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.virta.rtsp.rtp.RtpPackets.bytes;
import static org.junit.jupiter.api.Assertions.*;

class H265DepacketizerTest {
    // Two-byte headers: type << 1, then layer 0 and temporal id plus one = 1.
    static final byte[] VPS = bytes(0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60);
    static final byte[] SPS = bytes(0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90);
    static final byte[] PPS = bytes(0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40);
    static final byte[] AUD = bytes(0x46, 0x01, 0x10);
    static final byte[] PREFIX_SEI = bytes(0x4e, 0x01, 0x05, 0x10, 0x2c);
    static final byte[] IDR = slice(19, true, 3000, 1);
    static final byte[] IDR_SECOND = slice(19, false, 1800, 2);
    static final byte[] CRA = slice(21, true, 2000, 3);
    static final byte[] TRAIL = slice(1, true, 400, 4);
    static final byte[] TRAIL_SECOND = slice(1, false, 300, 5);

    static byte[] slice(int type, boolean firstInPicture, int length, int seed) {
        byte[] nal = new byte[length];
        nal[0] = (byte) (type << 1);
        nal[1] = 0x01;
        nal[2] = (byte) (firstInPicture ? 0xa0 : 0x20);
        for (int i = 3; i < length; i++) {
            nal[i] = (byte) (i * 17 + seed * 5 + 1);
        }
        return nal;
    }

    static final class Packets {
        int sequenceNumber;
        final List<ByteBuffer> list = new ArrayList<>();

        Packets(int first) {
            sequenceNumber = first;
        }

        Packets add(long timestamp, boolean marker, byte[] payload) {
            list.add(RtpPackets.packet(sequenceNumber, timestamp, marker, payload));
            sequenceNumber = (sequenceNumber + 1) & 0xffff;
            return this;
        }

        Packets aggregation(long timestamp, boolean marker, byte[]... nals) {
            ByteBuffer payload = ByteBuffer.allocate(2 + Arrays.stream(nals).mapToInt(n -> 2 + n.length).sum());
            payload.put((byte) (48 << 1)).put((byte) 0x01);
            for (byte[] nal : nals) {
                payload.putShort((short) nal.length).put(nal);
            }
            return add(timestamp, marker, payload.array());
        }

        Packets fragments(long timestamp, boolean marker, byte[] nal, int pieces) {
            int type = (nal[0] >> 1) & 0x3f;
            int chunk = (nal.length - 2 + pieces - 1) / pieces;
            for (int at = 2; at < nal.length; at += chunk) {
                int length = Math.min(chunk, nal.length - at);
                boolean start = at == 2;
                boolean end = at + length == nal.length;
                byte[] payload = new byte[3 + length];
                payload[0] = (byte) ((nal[0] & 0x81) | (49 << 1));
                payload[1] = nal[1];
                payload[2] = (byte) ((start ? 0x80 : 0) | (end ? 0x40 : 0) | type);
                System.arraycopy(nal, at, payload, 3, length);
                add(timestamp, marker && end, payload);
            }
            return this;
        }

        Packets drop(int index) {
            list.remove(index);
            return this;
        }
    }

    final UnitCollector collector = new UnitCollector();
    H265Depacketizer depacketizer = new H265Depacketizer(collector);

    void feed(Packets packets) {
        for (ByteBuffer packet : packets.list) {
            depacketizer.onPacket(RtpPackets.wrap(packet.duplicate()));
        }
    }

    static byte[] unit(byte[]... nals) {
        return AnnexB.join(List.of(nals));
    }

    DepacketizerCounters counters() {
        return depacketizer.counters();
    }

    @Test
    void singleNalUnitPacketsMakeOneUnit() {
        feed(new Packets(1).add(0, false, VPS).add(0, false, SPS).add(0, false, PPS).add(0, true, IDR));
        UnitCollector.Unit unit = collector.only();
        assertArrayEquals(unit(VPS, SPS, PPS, IDR), unit.data());
        assertEquals(VideoCodec.H265, unit.codec());
        assertTrue(unit.keyframe());
    }

    @Test
    void aggregationPacketsAndFragmentationUnits() {
        feed(new Packets(65535).aggregation(0, false, AUD, VPS, SPS, PPS, PREFIX_SEI).fragments(0, false, IDR, 3)
                .fragments(0, true, IDR_SECOND, 2)
                .aggregation(3600, true, AUD, TRAIL, TRAIL_SECOND));
        assertEquals(2, collector.count());
        assertArrayEquals(unit(AUD, VPS, SPS, PPS, PREFIX_SEI, IDR, IDR_SECOND), collector.units.get(0).data());
        assertArrayEquals(unit(AUD, TRAIL, TRAIL_SECOND), collector.units.get(1).data());
        assertFalse(collector.units.get(1).keyframe());
        assertEquals(0, counters().errors());
    }

    @Test
    void aCraPictureIsAKeyframe() {
        feed(new Packets(1).aggregation(0, false, VPS, SPS, PPS).fragments(0, true, CRA, 2));
        assertTrue(collector.only().keyframe());
    }

    @Test
    void aLostMiddleFragmentDropsTheUnitUntilTheNextKeyframe() {
        Packets packets = new Packets(1).aggregation(0, false, VPS, SPS, PPS).fragments(0, true, IDR, 4)
                .add(3600, true, TRAIL)
                .aggregation(7200, false, VPS, SPS, PPS).fragments(7200, true, IDR, 2);
        packets.drop(2);
        feed(packets);
        assertEquals(1, collector.count());
        assertEquals(7200, collector.only().rtpTimestamp());
        assertEquals(1, collector.only().sequence());
        assertEquals(1, counters().droppedIncomplete());
        assertEquals(1, counters().droppedWaitingForKeyframe());
    }

    @Test
    void aLostLastPacketIsNoticedWhenTheTimestampChanges() {
        Packets packets = new Packets(1).aggregation(0, false, VPS, SPS, PPS).add(0, false, IDR).add(0, true, IDR_SECOND)
                .add(3600, false, TRAIL).add(3600, true, TRAIL_SECOND)
                .add(7200, false, TRAIL).add(7200, true, TRAIL_SECOND);
        packets.drop(4);
        feed(packets);
        assertEquals(1, collector.count());
        assertEquals(1, counters().droppedIncomplete());
        assertEquals(1, counters().droppedWaitingForKeyframe());
        assertTrue(depacketizer.waitingForKeyframe());
    }

    @Test
    void markerlessStreamsAreSplitByTimestamp() {
        feed(new Packets(1).aggregation(0, false, VPS, SPS, PPS).add(0, false, IDR).add(0, false, IDR_SECOND)
                .add(3600, false, TRAIL).add(7200, false, TRAIL));
        assertEquals(2, collector.count());
        depacketizer.flush();
        assertEquals(3, collector.count());
    }

    @Test
    void vpsSpsAndPpsFromTheSdpAreInsertedInOrder() {
        depacketizer = new H265Depacketizer(collector, 1 << 20, List.of(PPS, SPS, VPS), false);
        feed(new Packets(1).aggregation(0, false, AUD, PREFIX_SEI).add(0, true, IDR)
                .aggregation(3600, false, AUD, SPS).add(3600, true, CRA));
        assertArrayEquals(unit(AUD, VPS, SPS, PPS, PREFIX_SEI, IDR), collector.units.get(0).data());
        assertArrayEquals(unit(AUD, VPS, SPS, PPS, CRA), collector.units.get(1).data(),
                "the VPS goes before the in-band SPS, the PPS after it");
        assertEquals(5, counters().parameterSetsInserted());
    }

    @Test
    void aKeyframeWithoutAVpsAnywhereIsDropped() {
        feed(new Packets(1).aggregation(0, false, SPS, PPS).add(0, true, IDR));
        assertEquals(0, collector.count());
        assertEquals(1, counters().droppedNoParameterSets());
    }

    @Test
    void parameterSetsRepeatedBeforeEachSliceAreNotDuplicated() {
        feed(new Packets(1).aggregation(0, false, VPS, SPS, PPS).fragments(0, false, IDR, 2)
                .aggregation(0, false, VPS, SPS, PPS).add(0, true, IDR_SECOND));
        assertArrayEquals(unit(VPS, SPS, PPS, IDR, IDR_SECOND), collector.only().data());
        assertEquals(3, counters().duplicateParameterSetsRemoved());
    }

    @Test
    void paciIsRejectedAndCounted() {
        feed(new Packets(1).aggregation(0, false, VPS, SPS, PPS).add(0, true, IDR)
                .add(3600, true, bytes(50 << 1, 0x01, 0x02, 0x00, 0x02, 0x01, 0xa0)));
        assertEquals(1, collector.count());
        assertEquals(1, counters().errors(DepacketizerError.UNSUPPORTED_PACKET_TYPE));
        assertEquals(1, counters().droppedIncomplete());
    }

    @Test
    void donlIsRefusedAtConstruction() {
        var error = assertThrows(UnsupportedOperationException.class,
                () -> new H265Depacketizer(collector, 1 << 20, List.of(), true));
        assertTrue(error.getMessage().contains("sprop-max-don-diff"), error.getMessage());
    }

    @Test
    void malformedPayloadsAreCountedByKind() {
        feed(new Packets(1)
                .add(0, true, bytes(0x02))                                  // one byte: no room for the header
                .add(3600, true, bytes(0x82, 0x01, 0xa0))                   // forbidden bit
                .add(7200, true, bytes(0x02, 0x00, 0xa0))                   // temporal id plus one = 0
                .add(10800, true, bytes(0x60, 0x01, 0x00, 0x05, 0x02))      // AP size past the end
                .add(14400, true, bytes(0x60, 0x01, 0x00, 0x01, 0x02))      // AP unit shorter than its header
                .add(18000, true, bytes(0x60, 0x01, 0x00, 0x02, 0x62, 0x01)) // AP holding an FU
                .add(21600, true, bytes(0x62, 0x01))                        // FU without its FU header
                .add(25200, true, bytes(0x62, 0x01, 0xb0))                  // FU carrying an AP
                .add(28800, true, bytes(0x62, 0x01, 0x01, 0x00))            // FU middle, nothing open
                .add(32400, false, bytes(0x62, 0x01, 0x93, 0x00))           // FU start ...
                .add(32400, true, bytes(0x62, 0x01, 0x41, 0x00))            // ... continued by another type
                .add(36000, true, bytes(0x7e, 0x01, 0x00)));                // type 63: ignored
        assertEquals(1, counters().errors(DepacketizerError.TRUNCATED_HEADER));
        assertEquals(1, counters().errors(DepacketizerError.FORBIDDEN_BIT_SET));
        assertEquals(1, counters().errors(DepacketizerError.BAD_TEMPORAL_ID));
        assertEquals(3, counters().errors(DepacketizerError.MALFORMED_AGGREGATION));
        assertEquals(2, counters().errors(DepacketizerError.MALFORMED_FRAGMENT));
        assertEquals(1, counters().errors(DepacketizerError.FRAGMENT_WITHOUT_START));
        assertEquals(1, counters().errors(DepacketizerError.FRAGMENT_TYPE_MISMATCH));
        assertEquals(1, counters().errors(DepacketizerError.IGNORED_NAL_TYPE));
        assertEquals(0, collector.count());
    }

    @Test
    void badParameterSetsFromTheSdpAreRefusedByIndex() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> depacketizer.setParameterSets(List.of(VPS, SPS, IDR)));
        assertTrue(error.getMessage().contains("parameter set 2"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> depacketizer.setParameterSets(List.of(bytes(0x40))));
    }
}
