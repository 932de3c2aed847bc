package io.virta.rtsp.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.virta.rtsp.client.RtpSourceFilter.Verdict;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The decisions of {@link RtpSourceFilter}; the network test is RtpSpoofingTest. */
class RtpSourceFilterTest {
    private static final InetAddress CAMERA = InetAddress.ofLiteral("10.0.0.5");
    private static final InetSocketAddress CAMERA_RTP = new InetSocketAddress(CAMERA, 5000);
    private static final InetSocketAddress CAMERA_RTCP = new InetSocketAddress(CAMERA, 5001);

    @Test
    void onlyTheCamerasAddressAndPortsPass() {
        RtpSourceFilter filter = new RtpSourceFilter(CAMERA, 5000, 5001, "0000ABCD");
        assertEquals(Verdict.ACCEPTED, filter.checkRtp(CAMERA_RTP, rtp(0xABCD)));
        assertEquals(Verdict.WRONG_SOURCE, filter.checkRtp(new InetSocketAddress("10.0.0.6", 5000), rtp(0xABCD)));
        assertEquals(Verdict.WRONG_SOURCE, filter.checkRtp(CAMERA_RTCP, rtp(0xABCD)), "RTP from the RTCP port");
        assertEquals(Verdict.ACCEPTED, filter.checkRtcp(CAMERA_RTCP));
        assertEquals(Verdict.WRONG_SOURCE, filter.checkRtcp(CAMERA_RTP));
        assertEquals(3, filter.wrongSource());
    }

    @Test
    void theAnnouncedSsrcIsRequired() {
        RtpSourceFilter filter = new RtpSourceFilter(CAMERA, 5000, 5001, "abcd");
        assertEquals(Verdict.WRONG_SSRC, filter.checkRtp(CAMERA_RTP, rtp(0x1234)), "even as the first packet");
        assertEquals(Verdict.ACCEPTED, filter.checkRtp(CAMERA_RTP, rtp(0xABCD)));
        assertEquals(1, filter.wrongSsrc());
    }

    @Test
    void withoutAnAnnouncedSsrcTheFirstPacketsIsLockedOnto() {
        RtpSourceFilter filter = new RtpSourceFilter(CAMERA, -1, -1, null);
        assertEquals(Verdict.WRONG_SOURCE, filter.checkRtp(new InetSocketAddress("10.0.0.6", 5000), rtp(7)),
                "a stranger's packet does not get to pick the SSRC");
        assertEquals(Verdict.ACCEPTED, filter.checkRtp(new InetSocketAddress(CAMERA, 6000), rtp(0x1234)),
                "no server_port: any port of the camera");
        assertEquals(Verdict.ACCEPTED, filter.checkRtp(CAMERA_RTP, rtp(0x1234)));
        assertEquals(Verdict.WRONG_SSRC, filter.checkRtp(CAMERA_RTP, rtp(0x9999)));
        assertEquals(Verdict.ACCEPTED, filter.checkRtp(CAMERA_RTP, Unpooled.wrappedBuffer(new byte[4])),
                "too short for a header: left to the parser to count as malformed");
    }

    @Test
    void ssrcValuesThatAreNotHexAreIgnored() {
        assertNull(RtpSourceFilter.parseSsrc("xyz"));
        assertNull(RtpSourceFilter.parseSsrc("123456789"));
        assertEquals(0xFFFFFFFF, RtpSourceFilter.parseSsrc("FFFFFFFF"));
    }

    private static ByteBuf rtp(int ssrc) {
        ByteBuf packet = Unpooled.buffer(20);
        packet.writeByte(0x80).writeByte(96).writeShort(1).writeInt(1000).writeInt(ssrc).writeZero(8);
        return packet;
    }
}
