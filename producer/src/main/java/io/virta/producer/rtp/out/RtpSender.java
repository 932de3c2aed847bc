package io.virta.producer.rtp.out;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.virta.producer.config.CameraConfig.RtpOutConfig;
import io.virta.producer.graph.FrameSink;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.rtcp.SenderReportWriter;
import io.virta.rtsp.rtp.NalPacketizer;
import io.virta.rtsp.rtp.RtpPacketSink;
import io.virta.rtsp.rtp.SdpFormat;
import io.virta.rtsp.rtp.h264.H264Packetizer;
import io.virta.rtsp.rtp.h265.H265Packetizer;
import io.virta.producer.source.sdp.MulticastInterfaces;
import io.virta.producer.source.sdp.SdpSourceException;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends one camera as plain RTP to a multicast group or a unicast host (libValkka's "send a camera
 * to a multicast group"), and writes the SDP file receivers open. Each access unit is packetized
 * once with the RTSP server's packetizers and sent on a non-blocking socket: a full send buffer
 * loses the packet (counted in {@link #packetsDropped()}), it never holds up ingest. RTCP sender
 * reports go to the next port up, every {@value #REPORT_INTERVAL_SECONDS} s, pairing a unit's RTP
 * timestamp with its capture time, so receivers can put frames on the wall clock.
 *
 * <p>One SSRC, sequence and timeline for the sender's life: across camera reconnects, stops and
 * starts and codec changes, receivers see one stream whose timestamps carry on one frame after the
 * last (see {@link RtpTimeline}). Nothing is sent until a keyframe gave the parameter sets, which
 * is also when the SDP file first appears; it is rewritten when they change.
 *
 * <p>{@link #accept} is called from the camera's ingest thread, one unit at a time.
 */
public final class RtpSender implements FrameSink<AccessUnit>, AutoCloseable {
    static final int PAYLOAD_TYPE = 96;
    private static final int RTP_HEADER = 12;
    private static final long REPORT_INTERVAL_SECONDS = 5;
    private static final Logger LOG = Logger.getLogger(RtpSender.class.getName());

    private final String camera;
    private final DatagramChannel channel;
    private final InetSocketAddress rtpTarget;
    private final InetSocketAddress rtcpTarget;
    private final SdpFileWriter sdpFile;
    private final int ssrc;
    private final RtpTimeline timeline;
    private final SenderReportWriter reports;
    private final ByteBuffer reportBuffer;
    private final RtpPacketSink send = this::send;
    private NalPacketizer packetizer;
    private SdpFormat format;
    private int nextSequence;
    private long nextReportNanos;
    private String lastErrorLogged;

    private volatile long unitsSent;
    private volatile long unitsWaiting;
    private volatile long packetsSent;
    private volatile long packetsDropped;
    private volatile long payloadBytes;
    private volatile boolean sdpWritten;

    private RtpSender(String camera, DatagramChannel channel, InetSocketAddress target, SdpFileWriter sdpFile, int ssrc) {
        this.camera = camera;
        this.channel = channel;
        this.rtpTarget = target;
        this.rtcpTarget = new InetSocketAddress(target.getAddress(), target.getPort() + 1);
        this.sdpFile = sdpFile;
        this.ssrc = ssrc;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.timeline = new RtpTimeline(random.nextInt() & 0xffff_ffffL);
        this.nextSequence = random.nextInt(65536);
        this.reports = new SenderReportWriter(ssrc, "virta@" + camera);
        this.reportBuffer = ByteBuffer.allocateDirect(reports.length());
    }

    /**
     * Opens the socket for a camera's {@code rtpOut:}.
     *
     * @throws IllegalArgumentException naming the camera and field, when the destination does not
     *                                  resolve or the interface does not exist
     * @throws IOException              when the socket cannot be opened or set up
     */
    public static RtpSender open(String camera, RtpOutConfig config) throws IOException {
        String field = "camera " + camera + ": rtpOut.";
        InetAddress host;
        try {
            host = InetAddress.getByName(config.host());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(field + "destination: host " + config.host()
                    + " does not resolve; give an IP address or a name this host can resolve");
        }
        boolean v6 = host instanceof Inet6Address;
        DatagramChannel channel = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.configureBlocking(false);
            if (host.isMulticastAddress()) {
                channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, config.ttl());
                // Receivers on this host (ffplay beside the producer) hear the group too.
                channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
                if (config.networkInterface() != null) {
                    channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, networkInterface(field, config));
                }
            }
            long sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            SdpFileWriter sdp = new SdpFileWriter(config.sdp(), config.sdpGroup(), camera, host, config.port(),
                    config.ttl(), sessionId);
            return new RtpSender(camera, channel, new InetSocketAddress(host, config.port()), sdp,
                    ThreadLocalRandom.current().nextInt());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static NetworkInterface networkInterface(String field, RtpOutConfig config) throws IOException {
        try {
            return MulticastInterfaces.named(config.networkInterface());
        } catch (SdpSourceException e) {
            throw new IllegalArgumentException(field + "interface: " + e.getMessage());
        }
    }

    @Override
    public void accept(AccessUnit unit) {
        if (format == null || format.codec() != unit.codec()) {
            switchCodec(unit.codec());
        }
        if (unit.isKeyframe() && format.remember(unit)) {
            writeSdp();
        }
        if (!format.known()) {
            unitsWaiting++;
            return;
        }
        long timestamp = timeline.map(unit.rtpTimestamp());
        long now = System.nanoTime();
        if (unitsSent == 0 || now - nextReportNanos >= 0) {
            // Before the unit: a receiver that hears the report first times even the first frame by it.
            nextReportNanos = now + TimeUnit.SECONDS.toNanos(REPORT_INTERVAL_SECONDS);
            sendReport(unit.captureTimeMicros(), timestamp);
        }
        packetizer.packetize(unit, timestamp, send);
        unitsSent++;
    }

    /** A new packetizer and format for the codec; sequence numbers and timeline carry on. */
    private void switchCodec(VideoCodec codec) {
        if (packetizer != null) {
            nextSequence = packetizer.nextSequence();
            timeline.restart();
        }
        packetizer = codec == VideoCodec.H264
                ? new H264Packetizer(PooledByteBufAllocator.DEFAULT, PAYLOAD_TYPE, ssrc, nextSequence)
                : new H265Packetizer(PooledByteBufAllocator.DEFAULT, PAYLOAD_TYPE, ssrc, nextSequence);
        format = new SdpFormat(codec, PAYLOAD_TYPE);
    }

    /** The camera reconnected: its timestamps start over, the stream sent does not. */
    public void cameraRestarted() {
        timeline.restart();
    }

    private void send(ByteBuf packet, boolean lastOfUnit) {
        try {
            int length = packet.readableBytes();
            ByteBuffer bytes = packet.internalNioBuffer(packet.readerIndex(), length);
            if (channel.send(bytes, rtpTarget) == 0) {
                packetsDropped++;
            } else {
                packetsSent++;
                payloadBytes += length - RTP_HEADER;
            }
        } catch (IOException e) {
            packetsDropped++;
            logOnce(e);
        } finally {
            packet.release();
        }
    }

    private void sendReport(long captureMicros, long timestamp) {
        reportBuffer.clear();
        reports.write(reportBuffer, captureMicros, timestamp, packetsSent, payloadBytes);
        reportBuffer.flip();
        try {
            channel.send(reportBuffer, rtcpTarget);
        } catch (IOException e) {
            logOnce(e);
        }
    }

    private void logOnce(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (!message.equals(lastErrorLogged)) {
            lastErrorLogged = message;
            LOG.warning(() -> "camera " + camera + ": rtpOut to " + rtpTarget + ": cannot send: " + message);
        }
    }

    private void writeSdp() {
        // Rare (the first keyframe, a change of parameter sets), so written here rather than handed off.
        try {
            sdpFile.write(sdpFile.describe(format));
            sdpWritten = true;
            LOG.info(() -> "camera " + camera + ": RTP to " + rtpTarget + " described in " + sdpFile.file());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "camera " + camera + ": rtpOut.sdp: cannot write " + sdpFile.file() + ": " + e, e);
        }
    }

    public Stats stats() {
        return new Stats(rtpTarget.getAddress().getHostAddress() + ":" + rtpTarget.getPort(), sdpWritten,
                unitsSent, unitsWaiting, packetsSent, packetsDropped);
    }

    /** Units sent since the sender opened. */
    public long unitsSent() {
        return unitsSent;
    }

    /** Packets the socket had no room for, or could not send. */
    public long packetsDropped() {
        return packetsDropped;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.fine(() -> "camera " + camera + ": closing the rtpOut socket: " + e);
        }
    }

    /**
     * @param sdpWritten   whether the SDP file exists yet (it needs a keyframe)
     * @param unitsWaiting units not sent because no keyframe had given the parameter sets yet
     */
    public record Stats(String destination, boolean sdpWritten, long unitsSent, long unitsWaiting, long packetsSent,
            long packetsDropped) {
    }
}
