package io.virta.producer.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.virta.producer.config.TimestampMode;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.rtp.h264.H264Packetizer;
import io.virta.rtsp.sdp.MediaDescription;
import io.virta.rtsp.sdp.SessionDescription;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packet path of one camera, fed with packets as Netty hands them over. */
class VideoTrackReceiverTest {
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=t\r\nt=0 0\r\n"
            + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:track1\r\n";


    @Test
    void packetsBecomeUnitsWithoutAllocating() throws Exception {
        MediaDescription video = SessionDescription.parse(SDP, "test").media().getFirst();
        long[] emitted = {0};
        long[] bytes = {0};
        VideoTrackReceiver receiver = new VideoTrackReceiver("cam", TimestampMode.SMART, 1 << 20, unit -> {
            emitted[0]++;
            bytes[0] += unit.size();
        }, codec -> assertEquals(VideoCodec.H264, codec));
        receiver.onSessionStart(video, true);
        H264Packetizer packetizer = new H264Packetizer(PooledByteBufAllocator.DEFAULT, 96, 1234, 0);
        List<AccessUnit> gop = TinyH264Gop.units(3, 3000, 200);
        List<ByteBuf> packets = new ArrayList<>();
        int frame = 0;
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // Warm up, so the JIT has compiled the path, then measure only the receiver's share.
        for (int round = 0; round < 2; round++) {
            long receiving = 0;
            long packetCount = 0;
            for (int i = 0; i < 30_000; i++, frame++) {
                packets.clear();
                packetizer.packetize(gop.get(frame % gop.size()), frame * 3600L, (p, last) -> packets.add(p));
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int k = 0; k < packets.size(); k++) {   // an iterator would be this test's own allocation
                    receiver.onRtp(packets.get(k), System.nanoTime());
                }
                receiving += threads.getCurrentThreadAllocatedBytes() - before;
                packetCount += packets.size();
                packets.forEach(ByteBuf::release);
            }
            if (round == 1) {
                assertTrue(receiving < packetCount / 10, "bytes allocated per packet: " + (double) receiving / packetCount);
            }
        }
        assertEquals(frame, emitted[0], "every unit came through");
        assertTrue(receiver.lastUnitNanos() > 0);
    }
}
