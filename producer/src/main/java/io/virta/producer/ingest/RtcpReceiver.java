package io.virta.producer.ingest;

import io.virta.producer.source.TrackReceiver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.virta.bus.Clock;
import io.virta.rtsp.rtcp.CompoundPacketReader;
import io.virta.rtsp.rtcp.ReceiverReportWriter;
import io.virta.rtsp.rtcp.ReceiverStatistics;
import io.virta.rtsp.rtcp.WallClockMapper;
import io.virta.rtsp.rtp.RtpPacket;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The RTCP side of one camera's video track: reception statistics from RTP packets, the RTP-to-NTP
 * mapping from sender reports, and a receiver report every {@value #REPORT_INTERVAL_SECONDS} s
 * (RFC 3550 6.2 allows 5 s as the minimum interval, which is what cameras expect).
 */
final class RtcpReceiver {
    static final int REPORT_INTERVAL_SECONDS = 5;

    private final CompoundPacketReader reader = new CompoundPacketReader();
    private final ReceiverReportWriter writer =
            new ReceiverReportWriter(ThreadLocalRandom.current().nextInt(), "virta@" + hostName());
    private final ByteBuffer report = ByteBuffer.allocate(writer.maxLength());
    private ReceiverStatistics statistics;
    private WallClockMapper mapper;
    private int clockRate = 90_000;
    private long nextReportNanos;
    private long senderReports;
    private long malformed;

    void reset(int clockRate) {
        this.clockRate = clockRate;
        statistics = null;
        mapper = new WallClockMapper(clockRate);
        nextReportNanos = 0;
    }

    void onRtp(RtpPacket packet, long arrivalNanos) {
        if (statistics == null || statistics.ssrc() != packet.ssrc()) {
            statistics = new ReceiverStatistics(packet.ssrc());
        }
        statistics.onPacket(packet.sequenceNumber(), packet.timestamp(), arrivalNanos / 1000 * clockRate / 1_000_000);
    }

    void onRtcp(ByteBuf buf, long arrivalNanos) {
        reader.wrap(buf.nioBuffer(buf.readerIndex(), buf.readableBytes()));
        while (reader.next()) {
            if (reader.isSenderReport() && (statistics == null || reader.reporterSsrc() == statistics.ssrc())) {
                senderReports++;
                mapper.onSenderReport(reader.ntpTimestamp(), reader.rtpTimestamp());
                if (statistics != null) {
                    statistics.onSenderReport(reader.ntpTimestamp(), Clock.epochMicros());
                }
            }
        }
        if (reader.error() != io.virta.rtsp.rtcp.RtcpError.NONE) {
            malformed++;
        }
    }

    /** Epoch µs for an RTP timestamp, or {@link CaptureClock#UNKNOWN} before the first sender report. */
    long toEpochMicros(long rtpTimestamp) {
        if (mapper == null || !mapper.canMap()) {
            return CaptureClock.UNKNOWN;
        }
        return mapper.toUnixMicros(rtpTimestamp);
    }

    void maybeSendReport(long nowNanos, TrackReceiver.RtcpSender sender) {
        if (nowNanos - nextReportNanos < 0 || statistics == null) {
            return;
        }
        nextReportNanos = nowNanos + REPORT_INTERVAL_SECONDS * 1_000_000_000L;
        report.clear();
        int length = writer.write(report, statistics, Clock.epochMicros());
        sender.send(Unpooled.wrappedBuffer(report.array(), 0, length));
    }

    long senderReports() {
        return senderReports;
    }

    long malformed() {
        return malformed;
    }

    private static String hostName() {
        try {
            String name = java.net.InetAddress.getLocalHost().getHostName();
            return name.isEmpty() ? "localhost" : name;
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
