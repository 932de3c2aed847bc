package io.virta.rtsp.rtp.h264;

import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.rtp.AnnexB;
import io.virta.rtsp.rtp.DepacketizerCounters;
import io.virta.rtsp.rtp.DepacketizerError;
import io.virta.rtsp.rtp.RtpPackets;
import io.virta.rtsp.rtp.UnitCollector;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.virta.rtsp.rtp.RtpPackets.bytes;
import static io.virta.rtsp.rtp.RtpPackets.concat;
import static org.junit.jupiter.api.Assertions.*;

class H264DepacketizerTest {
    static final byte[] SPS = bytes(0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x47, 0xfe, 0xc8);
    static final byte[] PPS = bytes(0x68, 0xce, 0x3c, 0x80);
    static final byte[] OTHER_SPS = bytes(0x67, 0x64, 0x00, 0x28, 0xac, 0xd9);
    static final byte[] AUD = bytes(0x09, 0xf0);
    static final byte[] SEI = bytes(0x06, 0x05, 0x01, 0x42, 0x80);
    /** IDR slice, first_mb_in_slice 0 (the first bit after the header is 1). */
    static final byte[] IDR = slice(0x65, true, 3000, 1);
    /** IDR slice further down the picture (first_mb_in_slice 1: bits 010). */
    static final byte[] IDR_SECOND = slice(0x65, false, 2500, 2);
    static final byte[] IDR_THIRD = slice(0x65, false, 400, 3);
    static final byte[] P = slice(0x41, true, 300, 4);
    static final byte[] P_SECOND = slice(0x41, false, 200, 5);

    static byte[] slice(int header, boolean firstInPicture, int length, int seed) {
        byte[] nal = new byte[length];
        nal[0] = (byte) header;
        nal[1] = (byte) (firstInPicture ? 0x88 : 0x41);
        for (int i = 2; i < length; i++) {
            nal[i] = (byte) (i * 31 + seed * 7 + 1);
        }
        return nal;
    }

    /** Packets of one hand-made stream; sequence numbers follow on. */
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

        Packets single(long timestamp, boolean marker, byte[] nal) {
            return add(timestamp, marker, nal);
        }

        Packets stapA(long timestamp, boolean marker, byte[]... nals) {
            ByteBuffer payload = ByteBuffer.allocate(1 + java.util.Arrays.stream(nals).mapToInt(n -> 2 + n.length).sum());
            payload.put((byte) 0x78);
            for (byte[] nal : nals) {
                payload.putShort((short) nal.length).put(nal);
            }
            return add(timestamp, marker, payload.array());
        }

        /** FU-A packets for {@code nal} in {@code pieces} fragments; the marker (if asked) on the last. */
        Packets fuA(long timestamp, boolean marker, byte[] nal, int pieces) {
            int body = nal.length - 1;
            int chunk = (body + pieces - 1) / pieces;
            for (int at = 1; at < nal.length; at += chunk) {
                int length = Math.min(chunk, nal.length - at);
                boolean start = at == 1;
                boolean end = at + length == nal.length;
                byte[] payload = new byte[2 + length];
                payload[0] = (byte) ((nal[0] & 0xe0) | 28);
                payload[1] = (byte) ((start ? 0x80 : 0) | (end ? 0x40 : 0) | (nal[0] & 0x1f));
                System.arraycopy(nal, at, payload, 2, length);
                add(timestamp, marker && end, payload);
            }
            return this;
        }

        Packets drop(int index) {
            list.remove(index);
            return this;
        }

        ByteBuffer get(int index) {
            return list.get(index);
        }
    }

    final UnitCollector collector = new UnitCollector();
    H264Depacketizer depacketizer = new H264Depacketizer(collector);

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
        depacketizer.setArrivalTimeMicros(1_700_000_000_000_000L);
        feed(new Packets(1).single(9000, false, SPS).single(9000, false, PPS).single(9000, true, IDR));
        UnitCollector.Unit unit = collector.only();
        assertArrayEquals(unit(SPS, PPS, IDR), unit.data());
        assertEquals(VideoCodec.H264, unit.codec());
        assertEquals(9000, unit.rtpTimestamp());
        assertTrue(unit.keyframe());
        assertEquals(1, unit.sequence());
        assertEquals(1_700_000_000_000_000L, unit.arrivalTimeMicros());
        assertFalse(depacketizer.waitingForKeyframe());
        assertEquals(0, counters().parameterSetsInserted());
    }

    @Test
    void stapAWithSpsAndPpsThenFuAFragments() {
        feed(new Packets(100).stapA(3600, false, SPS, PPS).fuA(3600, true, IDR, 4)
                .single(7200, true, P));
        assertEquals(2, collector.count());
        assertArrayEquals(unit(SPS, PPS, IDR), collector.units.get(0).data());
        assertArrayEquals(unit(P), collector.units.get(1).data());
        assertFalse(collector.units.get(1).keyframe());
        assertEquals(2, collector.units.get(1).sequence());
        assertEquals(2, counters().unitsEmitted());
        assertEquals(0, counters().unitsDropped());
        assertEquals(0, counters().errors());
    }

    @Test
    void aLostFuAMiddleFragmentDropsTheUnitAndWaitsForTheNextKeyframe() {
        Packets packets = new Packets(10).stapA(0, false, SPS, PPS).fuA(0, true, IDR, 4)
                .single(3600, true, P)
                .stapA(7200, false, SPS, PPS).fuA(7200, true, IDR, 3)
                .single(10800, true, P);
        packets.drop(2);
        feed(packets);
        assertEquals(2, collector.count());
        assertTrue(collector.units.get(0).keyframe());
        assertEquals(7200, collector.units.get(0).rtpTimestamp());
        assertEquals(1, collector.units.get(0).sequence(), "emitted units are numbered without gaps");
        assertEquals(2, collector.units.get(1).sequence());
        assertEquals(1, counters().droppedIncomplete());
        assertEquals(1, counters().droppedWaitingForKeyframe());
        assertEquals(1, counters().lossEvents());
        assertEquals(0, counters().errors(), "a gap explains the fragment trouble: not a payload error");
    }

    @Test
    void aLostLastPacketIsNoticedWhenTheTimestampChanges() {
        Packets packets = new Packets(65534)
                .stapA(0, false, SPS, PPS).single(0, false, IDR).single(0, true, IDR_SECOND)
                .single(3600, false, P).single(3600, true, P_SECOND)
                .stapA(7200, false, SPS, PPS).single(7200, false, IDR).single(7200, true, IDR_SECOND);
        feed(packets);
        assertEquals(3, collector.count());
        collector.units.clear();
        packets = new Packets(packets.sequenceNumber)
                .single(10800, false, P).single(10800, true, P_SECOND)
                .single(14400, false, P).single(14400, true, P_SECOND)
                .stapA(18000, false, SPS, PPS).single(18000, false, IDR).single(18000, true, IDR_SECOND);
        packets.drop(1);
        feed(packets);
        assertEquals(1, collector.count(), "the unit missing its tail and the next P are dropped; the keyframe is not");
        assertEquals(18000, collector.only().rtpTimestamp());
        assertEquals(4, collector.only().sequence());
        assertEquals(1, counters().droppedIncomplete());
        assertEquals(1, counters().droppedWaitingForKeyframe());
    }

    @Test
    void aGapBeforeAKeyframeKeepsItWhenItsFirstSliceArrived() {
        Packets packets = new Packets(500)
                .stapA(0, false, SPS, PPS).single(0, true, IDR)
                .single(3600, true, P)
                .stapA(7200, false, SPS, PPS).single(7200, false, IDR).single(7200, true, IDR_SECOND);
        packets.drop(3);
        feed(packets);
        assertEquals(3, collector.count());
        UnitCollector.Unit keyframe = collector.last();
        assertArrayEquals(unit(SPS, PPS, IDR, IDR_SECOND), keyframe.data(), "the lost SPS/PPS are put back from memory");
        assertEquals(2, counters().parameterSetsInserted());
    }

    @Test
    void aGapBeforeAKeyframeDropsItWhenItsFirstSliceIsMissing() {
        Packets packets = new Packets(500)
                .stapA(0, false, SPS, PPS).single(0, true, IDR)
                .stapA(7200, false, SPS, PPS).single(7200, false, IDR).single(7200, true, IDR_SECOND)
                .single(10800, true, P);
        packets.drop(3).drop(2);
        feed(packets);
        assertEquals(1, collector.count());
        assertEquals(1, counters().droppedIncomplete());
        assertEquals(1, counters().droppedWaitingForKeyframe());
        assertTrue(depacketizer.waitingForKeyframe());
    }

    @Test
    void markerlessCamerasAreSplitByTimestamp() {
        feed(new Packets(1).stapA(1000, false, SPS, PPS).fuA(1000, false, IDR, 3).fuA(1000, false, IDR_SECOND, 2)
                .single(4600, false, P).single(4600, false, P_SECOND)
                .single(8200, false, P));
        assertEquals(2, collector.count(), "the last unit waits for the next timestamp");
        assertArrayEquals(unit(SPS, PPS, IDR, IDR_SECOND), collector.units.get(0).data());
        assertArrayEquals(unit(P, P_SECOND), collector.units.get(1).data());
        depacketizer.flush();
        assertEquals(3, collector.count());
        assertArrayEquals(unit(P), collector.last().data());
    }

    @Test
    void anAccessUnitDelimiterStartsANewUnit() {
        feed(new Packets(1).stapA(1000, false, AUD, SPS, PPS).single(1000, false, IDR)
                .stapA(1000, false, AUD, P).stapA(1000, false, AUD, P));
        assertEquals(2, collector.count());
        assertArrayEquals(unit(AUD, SPS, PPS, IDR), collector.units.get(0).data());
        assertArrayEquals(unit(AUD, P), collector.units.get(1).data());
    }

    @Test
    void interleavedModePacketsAreRejectedAndCounted() {
        Packets packets = new Packets(1).stapA(0, false, SPS, PPS).single(0, true, IDR);
        for (int type : new int[] {25, 26, 27, 29}) {
            packets.add(3600L * type, true, bytes(0x60 | type, 0, 0, 0, 0, 0));
        }
        feed(packets);
        assertEquals(1, collector.count());
        assertEquals(4, counters().errors(DepacketizerError.UNSUPPORTED_PACKET_TYPE));
        assertEquals(4, counters().droppedIncomplete());
    }

    @Test
    void parameterSetsFromTheSdpAreInsertedIntoKeyframesThatLackThem() {
        depacketizer = new H264Depacketizer(collector, 1 << 20, List.of(concat(bytes(0, 0, 0, 1), SPS), PPS));
        feed(new Packets(1).stapA(0, false, AUD, SEI).single(0, true, IDR)
                .single(3600, true, P)
                .stapA(7200, false, AUD, SPS, PPS).single(7200, true, IDR));
        assertEquals(3, collector.count());
        assertArrayEquals(unit(AUD, SPS, PPS, SEI, IDR), collector.units.get(0).data(),
                "after the delimiter, before the SEI and the slice");
        assertArrayEquals(unit(AUD, SPS, PPS, IDR), collector.units.get(2).data(), "in-band ones are not doubled");
        assertEquals(2, counters().parameterSetsInserted());
    }

    @Test
    void onlyTheMissingParameterSetIsInsertedAndInDecodingOrder() {
        feed(new Packets(1).stapA(0, false, SPS, PPS).single(0, true, IDR)
                .stapA(3600, false, SPS).single(3600, true, IDR)
                .stapA(7200, false, AUD, PPS).single(7200, true, IDR));
        assertEquals(3, collector.count());
        assertArrayEquals(unit(SPS, PPS, IDR), collector.units.get(1).data());
        assertArrayEquals(unit(AUD, SPS, PPS, IDR), collector.units.get(2).data(), "the SPS goes before the PPS");
        assertEquals(2, counters().parameterSetsInserted());
    }

    @Test
    void theLatestInBandParameterSetIsRemembered() {
        feed(new Packets(1).stapA(0, false, SPS, PPS).single(0, true, IDR)
                .stapA(3600, false, OTHER_SPS, PPS).single(3600, true, IDR)
                .single(7200, true, IDR));
        assertArrayEquals(unit(OTHER_SPS, PPS, IDR), collector.last().data());
    }

    @Test
    void keyframesBeforeAnyParameterSetAreDropped() {
        feed(new Packets(1).single(0, true, IDR).single(3600, true, P)
                .stapA(7200, false, SPS, PPS).single(7200, true, IDR).single(10800, true, P));
        assertEquals(2, collector.count());
        assertEquals(7200, collector.units.get(0).rtpTimestamp());
        assertEquals(1, counters().droppedNoParameterSets());
        assertEquals(1, counters().droppedWaitingForKeyframe());
    }

    @Test
    void parameterSetsSentUnderTheirOwnTimestampAreKeptForTheKeyframe() {
        feed(new Packets(1).stapA(0, true, SPS, PPS).fuA(3600, true, IDR, 3));
        assertArrayEquals(unit(SPS, PPS, IDR), collector.only().data());
        assertEquals(1, counters().unitsWithoutPicture());
        assertEquals(0, counters().unitsDropped());
    }

    @Test
    void multiSlicePicturesWithParameterSetsBeforeEachSliceBecomeOneUnit() {
        feed(new Packets(1)
                .stapA(0, false, SPS, PPS).fuA(0, false, IDR, 3)
                .stapA(0, false, SPS, PPS).fuA(0, false, IDR_SECOND, 2)
                .single(0, false, SPS).single(0, false, PPS).single(0, true, IDR_THIRD)
                .single(3600, false, P).single(3600, true, P_SECOND));
        assertEquals(2, collector.count());
        assertArrayEquals(unit(SPS, PPS, IDR, IDR_SECOND, IDR_THIRD), collector.units.get(0).data());
        assertArrayEquals(unit(P, P_SECOND), collector.units.get(1).data());
        assertEquals(4, counters().duplicateParameterSetsRemoved());
    }

    @Test
    void aUnitLargerThanTheBufferIsDroppedNotThrown() {
        depacketizer = new H264Depacketizer(collector, 2048, List.of());
        feed(new Packets(1).stapA(0, false, SPS, PPS).fuA(0, true, IDR, 3)
                .single(3600, true, P)
                .stapA(7200, false, SPS, PPS).single(7200, true, slice(0x65, true, 1500, 9))
                .single(10800, true, P));
        assertEquals(2, collector.count());
        assertEquals(7200, collector.units.get(0).rtpTimestamp());
        assertEquals(1, counters().droppedTooLarge());
        assertEquals(1, counters().droppedWaitingForKeyframe());
    }

    @Test
    void reportedLossDropsTheUnitAndCountsOnce() {
        Packets packets = new Packets(1).stapA(0, false, SPS, PPS).fuA(0, true, IDR, 4);
        for (int i = 0; i < packets.list.size(); i++) {
            if (i == 2) {
                depacketizer.onLoss(1);
                continue;
            }
            depacketizer.onPacket(RtpPackets.wrap(packets.get(i)));
        }
        assertEquals(0, collector.count());
        assertEquals(1, counters().lossEvents());
        assertEquals(1, counters().droppedIncomplete());
    }

    @Test
    void joiningMidStreamWaitsForAKeyframe() {
        Packets packets = new Packets(1).fuA(0, true, P, 3).single(3600, true, P)
                .stapA(7200, false, SPS, PPS).fuA(7200, true, IDR, 2);
        packets.drop(0);
        feed(packets);
        assertEquals(1, collector.count());
        assertTrue(collector.only().keyframe());
        assertEquals(0, counters().errors(), "joining is not an error");
    }

    @Test
    void aFragmentLeftOpenWithoutAGapIsAPayloadError() {
        Packets packets = new Packets(1).stapA(0, false, SPS, PPS).fuA(0, true, IDR, 3);
        // Make the last fragment lose its E bit: the sender never finished the NAL unit.
        packets.get(3).put(13, (byte) (packets.get(3).get(13) & ~0x40));
        packets.single(3600, true, P);
        feed(packets);
        assertEquals(0, collector.count());
        assertEquals(1, counters().errors(DepacketizerError.FRAGMENT_NOT_ENDED));
        assertEquals(DepacketizerError.FRAGMENT_NOT_ENDED, counters().lastError());
    }

    @Test
    void malformedPayloadsAreCountedByKind() {
        feed(new Packets(1)
                .add(0, true, bytes(0x78, 0x00, 0x09, 0x67))           // STAP-A size runs past the end
                .add(3600, true, bytes(0x78, 0x00, 0x00))              // STAP-A size 0
                .add(7200, true, bytes(0x78))                          // STAP-A without units
                .add(10800, true, bytes(0x78, 0x00, 0x02, 0x7c, 0x85)) // STAP-A holding an FU-A
                .add(14400, true, bytes(0x7c))                         // FU-A without its FU header
                .add(18000, true, bytes(0x7c, 0x98, 0x00))             // FU-A carrying a STAP-A
                .add(21600, true, bytes(0x7c, 0x05, 0x00))             // FU-A middle, nothing open
                .add(25200, true, bytes(0xe5, 0x88))                   // forbidden bit
                .add(28800, true, bytes(0x78, 0x00, 0x02, 0xe5, 0x88)) // forbidden bit inside a STAP-A
                .add(32400, true, bytes()));                           // empty
        assertEquals(4, counters().errors(DepacketizerError.MALFORMED_AGGREGATION));
        assertEquals(2, counters().errors(DepacketizerError.MALFORMED_FRAGMENT));
        assertEquals(1, counters().errors(DepacketizerError.FRAGMENT_WITHOUT_START));
        assertEquals(2, counters().errors(DepacketizerError.FORBIDDEN_BIT_SET));
        assertEquals(1, counters().errors(DepacketizerError.EMPTY_PAYLOAD));
        assertEquals(9, counters().droppedIncomplete());
        for (DepacketizerError kind : DepacketizerError.values()) {
            assertFalse(kind.description().isBlank());
        }
        assertTrue(counters().toString().contains("MALFORMED_AGGREGATION=4"), counters().toString());
    }

    @Test
    void undefinedNalTypesAndKeepAlivesAreIgnoredWithoutLosingTheUnit() {
        feed(new Packets(1).stapA(0, false, SPS, PPS).single(0, false, bytes(0x1e, 1, 2)).add(0, false, bytes())
                .stapA(0, true, IDR, bytes(0x00, 0x11)));
        assertArrayEquals(unit(SPS, PPS, IDR), collector.only().data());
        assertEquals(2, counters().errors(DepacketizerError.IGNORED_NAL_TYPE));
        assertEquals(1, counters().errors(DepacketizerError.EMPTY_PAYLOAD));
    }

    @Test
    void timestampsAreUnwrappedAndArrivalIsThatOfTheLastPacket() {
        Packets packets = new Packets(1).stapA(0xffff_f000L, false, SPS, PPS).fuA(0xffff_f000L, true, IDR, 2)
                .single(0x0000_0a00L, true, P);
        for (int i = 0; i < packets.list.size(); i++) {
            depacketizer.setArrivalTimeMicros(1000 + i);
            depacketizer.onPacket(RtpPackets.wrap(packets.get(i)));
        }
        assertEquals(0xffff_f000L, collector.units.get(0).rtpTimestamp());
        assertEquals(1002, collector.units.get(0).arrivalTimeMicros());
        assertEquals((1L << 32) + 0x0a00, collector.units.get(1).rtpTimestamp());
        assertEquals(1003, collector.units.get(1).arrivalTimeMicros());
    }

    @Test
    void badParameterSetsFromTheSdpAreRefusedByIndex() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> depacketizer.setParameterSets(List.of(SPS, bytes(0x65, 0x88))));
        assertTrue(error.getMessage().contains("parameter set 1"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> depacketizer.setParameterSets(List.of(bytes(0, 0, 1))));
        assertThrows(IllegalArgumentException.class, () -> depacketizer.setParameterSets(null));
        feed(new Packets(1).single(0, true, IDR));
        assertEquals(1, counters().droppedNoParameterSets(), "nothing was taken from the refused list");
    }

    /** Ground rule: once warm, depacketizing allocates nothing per packet or per unit. */
    @Test
    void steadyStateAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        long[] bytes = {0};
        depacketizer = new H264Depacketizer(unit -> bytes[0] += unit.size());
        Packets gop = new Packets(0).stapA(0, false, AUD, SEI).fuA(0, false, IDR, 3).fuA(0, true, IDR_SECOND, 2);
        for (int i = 1; i < 10; i++) {
            gop.stapA(0, false, AUD, P).single(0, true, P_SECOND);
        }
        io.virta.rtsp.rtp.RtpPacket[] packets = new io.virta.rtsp.rtp.RtpPacket[gop.list.size()];
        for (int i = 0; i < packets.length; i++) {
            packets[i] = RtpPackets.wrap(gop.get(i));
        }
        depacketizer.setParameterSets(List.of(SPS, PPS));
        double fewest = Double.MAX_VALUE;
        int sequenceNumber = 0;
        long timestamp = 0;
        for (int round = 0; round < 20; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int repeat = 0; repeat < 200; repeat++) {
                for (io.virta.rtsp.rtp.RtpPacket packet : packets) {
                    ByteBuffer buffer = packet.buffer();
                    buffer.putShort(2, (short) sequenceNumber++);
                    buffer.putInt(4, (int) timestamp);
                    depacketizer.onPacket(packet);
                    if (packet.marker()) {
                        timestamp += 3600;
                    }
                }
            }
            fewest = Math.min(fewest, (threads.getThreadAllocatedBytes(thread) - before) / (200.0 * packets.length));
        }
        assertTrue(fewest < 1, "bytes allocated per packet once compiled: " + fewest);
        assertEquals(0, counters().unitsDropped(), counters().toString());
        assertTrue(counters().parameterSetsInserted() > 0);
    }
}
