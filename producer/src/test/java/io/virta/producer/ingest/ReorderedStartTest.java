package io.virta.producer.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.virta.producer.config.TimestampMode;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.rtp.LossPolicy;
import io.virta.rtsp.rtp.h264.H264Packetizer;
import io.virta.rtsp.RtpInfo;
import io.virta.rtsp.sdp.MediaDescription;
import io.virta.rtsp.sdp.SessionDescription;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first packets of a UDP stream arrive out of order (the keyframe's second fragment before its
 * first). Without knowing where the stream starts, the receiver takes the first packet to arrive as the
 * start, the real first one as late, and loses the whole first GOP; the PLAY reply's RTP-Info says where
 * it starts, and the GOP is kept. Fed through the real receiver (reorderer, depacketizer) with packets
 * from the real packetizer.
 */
class ReorderedStartTest {
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=t\r\nt=0 0\r\n"
            + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:track1\r\n";
    private static final int FIRST_SEQUENCE = 4000;

    @Test
    void rtpInfoSeedsTheReordererSoTheFirstGopIsKept() throws Exception {
        assertEquals(0, unitsFromReorderedStart(false), "unseeded: the first GOP is lost (today's behaviour)");
        assertEquals(5, unitsFromReorderedStart(true), "seeded from RTP-Info: every unit of the first GOP");
    }

    @Test
    void rtpInfoEntriesAreMatchedToTheStream() {
        URI stream = URI.create("rtsp://10.0.0.1/cam/trackID=1");
        String header = "url=rtsp://10.0.0.1/cam/trackID=0;seq=17;rtptime=900, url=rtsp://10.0.0.1/cam/trackID=1;seq=65535;rtptime=4294967295";
        RtpInfo info = RtpInfo.find(header, stream).orElseThrow();
        assertEquals(65535, info.sequence());
        assertEquals(4294967295L, info.rtpTime());
        assertEquals(12, RtpInfo.find("url=trackID=1;seq=12", stream).orElseThrow().sequence(), "a relative url");
        assertEquals(5, RtpInfo.find("url=rtsp://proxy/other;seq=5;rtptime=1", stream).orElseThrow().sequence(),
                "the only entry, whatever its url");
        assertTrue(RtpInfo.find("url=x;seq=70000", stream).isEmpty(), "out of range");
        assertTrue(RtpInfo.find("url=x;seq=-1", stream).isEmpty());
        assertTrue(RtpInfo.find("url=x;rtptime=5", stream).isEmpty(), "no seq");
        assertTrue(RtpInfo.find(null, stream).isEmpty());
        assertTrue(RtpInfo.find("url=a;seq=1,url=b;seq=2", stream).isEmpty(), "several, none of them ours");
    }

    /** Units emitted for a GOP (keyframe + 4 P) whose first two packets arrive swapped. */
    private static long unitsFromReorderedStart(boolean seeded) throws Exception {
        MediaDescription video = SessionDescription.parse(SDP, "test").media().getFirst();
        long[] emitted = {0};
        VideoTrackReceiver receiver = new VideoTrackReceiver("cam", TimestampMode.ARRIVAL, LossPolicy.CONCEAL, 1 << 20,
                unit -> emitted[0]++, codec -> { });
        receiver.onSessionStart(video, false);
        if (seeded) {
            receiver.onStreamStart(FIRST_SEQUENCE);
        }
        H264Packetizer packetizer = new H264Packetizer(PooledByteBufAllocator.DEFAULT, 96, 1234, FIRST_SEQUENCE);
        List<ByteBuf> packets = new ArrayList<>();
        List<AccessUnit> units = TinyH264Gop.units(5, 4000, 300);
        for (int i = 0; i < units.size(); i++) {
            packetizer.packetize(units.get(i), i * 3600L, (p, last) -> packets.add(p));
        }
        assertTrue(packets.size() > units.size(), "the keyframe spans several packets");
        Collections.swap(packets, 0, 1);
        long now = System.nanoTime();
        for (ByteBuf packet : packets) {
            receiver.onRtp(packet, now);
            packet.release();
        }
        receiver.onTick(now + 1_000_000_000L, p -> p.release());
        return emitted[0];
    }
}
