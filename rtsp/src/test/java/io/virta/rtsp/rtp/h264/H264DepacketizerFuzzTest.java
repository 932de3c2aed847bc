package io.virta.rtsp.rtp.h264;

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

import static io.virta.rtsp.rtp.h264.H264DepacketizerTest.*;

class H264DepacketizerFuzzTest {
    private static final int MAX_UNIT = 16 * 1024;

    /** Two GOPs in every packet type: STAP-A, FU-A (small MTU), single NAL units; with and without AUDs. */
    static List<ByteBuffer> validStream() {
        TestPacketizer packetizer = TestPacketizer.h264(700, 65_530);
        List<ByteBuffer> packets = new ArrayList<>();
        long timestamp = 0xffff_e000L;
        for (int gop = 0; gop < 2; gop++) {
            packets.addAll(packetizer.packetize(List.of(AUD, SPS, PPS, SEI, IDR, IDR_SECOND), timestamp));
            for (int i = 0; i < 4; i++) {
                timestamp += 3600;
                packets.addAll(packetizer.packetize(i % 2 == 0 ? List.of(P, P_SECOND) : List.of(AUD, P), timestamp));
            }
            timestamp += 3600;
        }
        return packets;
    }

    @Test
    @Timeout(60)
    void mutatedStreamsNeverThrowAndEmitOnlyWellFormedUnits() {
        Function<UnitCollector, DepacketizerFuzz.Target> make = collector -> {
            H264Depacketizer depacketizer = new H264Depacketizer(collector, MAX_UNIT, List.of());
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
        DepacketizerFuzz.replay(FuzzCorpus.of(H264DepacketizerFuzzTest.class), MAX_UNIT, make);
        DepacketizerFuzz.run(validStream(), 6184, 5_000, MAX_UNIT, make);
    }
}
