package io.virta.rtsp.rtp.h265;

import io.virta.rtsp.rtp.DepacketizerFuzz;
import io.virta.rtsp.rtp.RtpPacketHandler;
import io.virta.rtsp.rtp.TestPacketizer;
import io.virta.rtsp.rtp.UnitCollector;
import io.virta.testkit.FuzzCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static io.virta.rtsp.rtp.h265.H265DepacketizerTest.*;

class H265DepacketizerFuzzTest {
    private static final int MAX_UNIT = 16 * 1024;

    static List<ByteBuffer> validStream() {
        TestPacketizer packetizer = TestPacketizer.h265(600, 65_530);
        List<ByteBuffer> packets = new ArrayList<>();
        long timestamp = 0xffff_e000L;
        for (int gop = 0; gop < 2; gop++) {
            packets.addAll(packetizer.packetize(List.of(AUD, VPS, SPS, PPS, PREFIX_SEI, gop == 0 ? IDR : CRA, IDR_SECOND),
                    timestamp));
            for (int i = 0; i < 4; i++) {
                timestamp += 3600;
                packets.addAll(packetizer.packetize(i % 2 == 0 ? List.of(TRAIL, TRAIL_SECOND) : List.of(AUD, TRAIL),
                        timestamp));
            }
            timestamp += 3600;
        }
        return packets;
    }

    @Test
    @Timeout(60)
    void mutatedStreamsNeverThrowAndEmitOnlyWellFormedUnits() {
        Function<UnitCollector, DepacketizerFuzz.Target> make = collector -> {
            H265Depacketizer depacketizer = new H265Depacketizer(collector, MAX_UNIT, List.of(), false);
            return new DepacketizerFuzz.Target() {
                @Override
                public RtpPacketHandler handler() {
                    return depacketizer;
                }

                @Override
                public void flush() {
                    depacketizer.flush();
                }
            };
        };
        DepacketizerFuzz.replay(FuzzCorpus.of(H265DepacketizerFuzzTest.class), MAX_UNIT, make);
        DepacketizerFuzz.run(validStream(), 7798, 5_000, MAX_UNIT, make);
    }
}
