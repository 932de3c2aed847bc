package io.virta.producer.source.sdp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.virta.producer.source.CameraSource;
import io.virta.producer.source.StreamEvents;
import io.virta.producer.source.TrackReceiver;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A camera whose RTP arrives without RTSP: the camera, an ffmpeg, or a multicast re-streamer sends
 * to a unicast or multicast address, and an SDP file says where and what (libValkka's
 * {@code LiveConnectionType_sdp}).
 *
 * <pre>
 *   cam7.sdp --read--> SdpFile: m=video port, c= address, codec, SPS/PPS
 *   UDP port   (RTP)  --> TrackReceiver.onRtp  --> access units to its sink
 *   UDP port+1 (RTCP) --> TrackReceiver.onRtcp (sender reports: capture times)
 *                     <-- receiver reports, to where the sender reports came from
 * </pre>
 *
 * <p>Nothing is negotiated, so "connected" means "units are coming": the source is online from the
 * first access unit, and offline when none came for the reconnect timeout. Going offline resets the
 * receiver's packet state (a restarted sender starts new sequence numbers and timestamps) and
 * re-reads the file; a file that changed is opened anew, and while offline the file is looked at
 * again every reconnect timeout. A missing or bad file, or a port another program holds, makes
 * the source offline with a reason ({@link #lastError()}) and is retried after 250 ms, then at
 * doubling intervals up to the reconnect timeout, so the producer may start before the sender that
 * writes the file.
 *
 * <p>Everything runs on one event loop. Per datagram nothing is allocated here beyond Netty's
 * {@code DatagramPacket} wrapper (its buffer comes from the pool); the work is the receiver's.
 */
public final class SdpFileSource implements CameraSource {
    private static final Logger LOG = Logger.getLogger(SdpFileSource.class.getName());

    /** A few hundred milliseconds of a 4K stream: a burst (a keyframe) must not overflow while the loop is busy. */
    private static final int RTP_RECEIVE_BUFFER = 4 * 1024 * 1024;
    private static final int RTCP_RECEIVE_BUFFER = 64 * 1024;
    /** RTP over UDP may legally use a whole 64 KiB datagram; Netty's default 2 KiB would truncate silently. */
    private static final int MAX_DATAGRAM = 65536;
    private static final TrackReceiver.RtcpSender DROP = ByteBuf::release;
    private static final int RTCP_SENDER_REPORT = 200;
    /**
     * The first retry after a failed open; doubled up to the reconnect timeout. Short, because the
     * usual causes pass quickly: the sender is about to write the file, or a port closed a moment
     * ago is still held until the event loop next polls its selector.
     */
    private static final long FIRST_RETRY_NANOS = 250_000_000;

    private final String camera;
    private final Path sdpPath;
    private final EventLoop loop;
    private final TrackReceiver receiver;
    private final Duration reconnect;
    private final long reconnectNanos;
    private final StreamEvents events;
    private final String multicastInterface;
    private final TrackReceiver.RtcpSender rtcpSender = this::sendRtcp;

    // Event-loop state.
    private SdpFile sdp;
    private Channel rtpChannel;
    private Channel rtcpChannel;
    private List<NetworkInterface> joined = List.of();
    private InetSocketAddress rtcpPeer;
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> retryTask;
    private long retryDelayNanos = FIRST_RETRY_NANOS;
    /** When the current wait for units began: the last open, or going offline. */
    private long waitingSinceNanos;
    /** {@code receiver.lastUnitNanos()} when that wait began: any other value is a new unit. */
    private long unitMarker;
    private long lastAttemptNanos;
    private long lastPacketNanos;
    private boolean offlineReported;
    private long handlerErrors;

    private volatile boolean online;
    private volatile boolean closed;
    private volatile String lastError;
    private volatile long reconnects;
    private volatile long packets;

    /**
     * @param reconnect          how long without units before the source is offline; also how often
     *                           a failed open is retried
     * @param multicastInterface the interface to join a multicast group on (a name such as
     *                           {@code eth1}, or one of its addresses); null joins on the interface
     *                           the group is routed to and on loopback
     */
    public SdpFileSource(String camera, Path sdpFile, EventLoop loop, TrackReceiver receiver, Duration reconnect,
            StreamEvents events, String multicastInterface) {
        if (reconnect.isNegative() || reconnect.isZero()) {
            throw new IllegalArgumentException("camera " + camera + ": reconnect must be positive, not " + reconnect);
        }
        this.camera = camera;
        this.sdpPath = sdpFile;
        this.loop = loop;
        this.receiver = receiver;
        this.reconnect = reconnect;
        this.reconnectNanos = reconnect.toNanos();
        this.events = events;
        this.multicastInterface = multicastInterface;
    }

    @Override
    public void start() {
        loop.execute(() -> {
            if (closed || ticker != null) {
                return;
            }
            lastAttemptNanos = System.nanoTime();
            open(null);
            ticker = loop.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        });
    }

    @Override
    public boolean isOnline() {
        return online;
    }

    @Override
    public long reconnects() {
        return reconnects;
    }

    @Override
    public String lastError() {
        return lastError;
    }

    public String camera() {
        return camera;
    }

    public Path sdpFile() {
        return sdpPath;
    }

    /** RTP datagrams received since start, whether or not they made units. */
    public long packets() {
        return packets;
    }

    // ------------------------------------------------------------------ opening

    /**
     * Reads the file (unless {@code alreadyRead}), binds and joins when the address or ports are new,
     * and starts a fresh receiver session.
     */
    private void open(SdpFile alreadyRead) {
        SdpFile next = alreadyRead;
        try {
            if (next == null) {
                next = SdpFile.read(sdpPath);
            }
            if (rtpChannel == null || !next.sameEndpoint(sdp)) {
                closeSockets();
                bind(next);
            }
        } catch (SdpSourceException e) {
            fail("camera " + camera + ": " + e.getMessage());
            scheduleRetry();
            return;
        }
        retryDelayNanos = FIRST_RETRY_NANOS;
        String again = sdp == null ? "" : " again";
        sdp = next;
        startSession();
        LOG.info("camera " + camera + ": listening" + again + " for " + next.video().videoCodec().orElseThrow()
                + " RTP on " + describeEndpoint() + " as " + sdpPath + " says");
    }

    /** Forgets the packet state: whatever comes next may be a restarted sender with new numbering. */
    private void startSession() {
        receiver.onSessionStart(sdp.video(), false);
        waitingSinceNanos = System.nanoTime();
        unitMarker = receiver.lastUnitNanos();
    }

    private void scheduleRetry() {
        if (retryTask != null || closed) {
            return;
        }
        retryTask = loop.schedule(() -> {
            retryTask = null;
            if (!closed) {
                lastAttemptNanos = System.nanoTime();
                retry();
            }
        }, retryDelayNanos, TimeUnit.NANOSECONDS);
        retryDelayNanos = Math.min(reconnectNanos, 2 * retryDelayNanos);
    }

    private void bind(SdpFile next) throws SdpSourceException {
        List<NetworkInterface> interfaces = next.multicast()
                ? MulticastInterfaces.choose(multicastInterface, next.address()) : List.of();
        Channel rtp = bind(next, next.rtpPort(), true, interfaces);
        Channel rtcp;
        try {
            rtcp = bind(next, next.rtcpPort(), false, interfaces);
        } catch (SdpSourceException e) {
            rtp.close();
            throw e;
        }
        rtpChannel = rtp;
        rtcpChannel = rtcp;
        joined = interfaces;
        rtcpPeer = null;
    }

    /**
     * Binds with plain NIO, synchronously, then hands the socket to the event loop: a Netty bind
     * completes on the loop, which is the thread we are on, so it could not be awaited here.
     */
    private Channel bind(SdpFile next, int port, boolean rtp, List<NetworkInterface> interfaces)
            throws SdpSourceException {
        boolean ipv6 = next.address() instanceof Inet6Address;
        DatagramChannel socket = null;
        try {
            socket = DatagramChannel.open(ipv6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            if (next.multicast()) {
                // Several receivers of one group on one host (two producers, a recorder, ffplay) must share the port.
                socket.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            socket.setOption(StandardSocketOptions.SO_RCVBUF, rtp ? RTP_RECEIVE_BUFFER : RTCP_RECEIVE_BUFFER);
            try {
                socket.bind(new InetSocketAddress(InetAddress.ofLiteral(ipv6 ? "::" : "0.0.0.0"), port));
            } catch (BindException e) {
                throw portTaken(next, port, rtp, e);
            }
            if (next.multicast()) {
                join(socket, next, interfaces);
            }
        } catch (SdpSourceException e) {
            closeQuietly(socket);
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw new SdpSourceException("m=video", "cannot receive on UDP port " + port + " (" + (rtp ? "RTP" : "RTCP")
                    + ", from " + sdpPath + "): " + e.getMessage(), e);
        }
        NioDatagramChannel channel = new NioDatagramChannel(socket);
        channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM));
        channel.pipeline().addLast(rtp ? new RtpHandler() : new RtcpHandler());
        loop.register(channel);
        return channel;
    }

    private void join(DatagramChannel socket, SdpFile next, List<NetworkInterface> interfaces)
            throws IOException, SdpSourceException {
        IOException firstFailure = null;
        int joins = 0;
        for (NetworkInterface networkInterface : interfaces) {
            try {
                socket.join(next.address(), networkInterface);
                joins++;
            } catch (IOException e) {
                if (firstFailure == null) {
                    firstFailure = e;
                }
            }
        }
        if (joins == 0) {
            throw new SdpSourceException("interface", "cannot join multicast group " + next.address().getHostAddress()
                    + " (c= in " + sdpPath + ") on " + MulticastInterfaces.names(interfaces) + ": "
                    + (firstFailure == null ? "no interface" : firstFailure.getMessage())
                    + "; set interface: to the one the stream arrives on", firstFailure);
        }
        socket.setOption(StandardSocketOptions.IP_MULTICAST_IF, interfaces.getFirst());
    }

    private SdpSourceException portTaken(SdpFile next, int port, boolean rtp, BindException e) {
        String which = rtp ? "RTP, the m=video port" : "RTCP, " + (next.video().attribute("rtcp").isPresent()
                ? "from a=rtcp" : "the m=video port + 1");
        String sharing = next.multicast()
                ? " (a program that shares a multicast port must set SO_REUSEADDR, as Virta and ffmpeg do)" : "";
        return new SdpSourceException(rtp ? "m=video" : "a=rtcp", "UDP port " + port + " (" + which + " in "
                + sdpPath + ") is already in use by another program" + sharing + "; stop that program (another"
                + " camera with the same SDP file? a player?), or make the sender use another even port and write"
                + " a new SDP file", e);
    }

    // ------------------------------------------------------------------ packets

    /** Logs the first failure in the packet path with its stack and counts the rest: a bug must not flood the log. */
    private abstract class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (handlerErrors++ == 0) {
                LOG.log(java.util.logging.Level.SEVERE, "camera " + camera + ": a datagram could not be handled;"
                        + " further failures are counted, not logged", cause);
            }
        }
    }

    private final class RtpHandler extends DatagramHandler {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket datagram) {
            if (closed) {
                return;
            }
            long now = System.nanoTime();
            lastPacketNanos = now;
            packets++;
            receiver.onRtp(datagram.content(), now);
            if (!online && receiver.lastUnitNanos() != unitMarker) {
                goOnline();
            }
        }
    }

    private final class RtcpHandler extends DatagramHandler {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket datagram) {
            if (closed) {
                return;
            }
            ByteBuf content = datagram.content();
            // Reports go to the sender, not to other receivers whose reports share a multicast RTCP port.
            if (content.readableBytes() >= 2 && content.getUnsignedByte(content.readerIndex() + 1) == RTCP_SENDER_REPORT) {
                rtcpPeer = datagram.sender();
            }
            receiver.onRtcp(content, System.nanoTime());
        }
    }

    private void sendRtcp(ByteBuf report) {
        InetSocketAddress peer = rtcpPeer;
        Channel channel = rtcpChannel;
        if (peer == null || channel == null) {
            report.release();
            return;
        }
        channel.writeAndFlush(new DatagramPacket(report, peer));
    }

    // ------------------------------------------------------------------ liveness

    private void tick() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        if (online) {
            receiver.onTick(now, rtcpSender);
            if (now - receiver.lastUnitNanos() > reconnectNanos) {
                goOffline(silenceReason(now));
                startSession();
                lastAttemptNanos = now;
                retry(); // the sender may have restarted with a new file
            }
            return;
        }
        receiver.onTick(now, DROP); // flushes packets held for reordering; nobody to report to
        if (rtpChannel != null && !offlineReported && now - waitingSinceNanos > reconnectNanos) {
            goOffline(silenceReason(now)); // never came online since the last open
        }
        // Sockets bound but silence: look at the file again now and then. (A failed open retries on its own.)
        if (offlineReported && rtpChannel != null && now - lastAttemptNanos >= reconnectNanos) {
            lastAttemptNanos = now;
            retry();
        }
    }

    /** While offline: open again if the last open failed, or the file now says something else. */
    private void retry() {
        SdpFile reread;
        try {
            reread = SdpFile.read(sdpPath);
        } catch (SdpSourceException e) {
            if (rtpChannel == null) {
                fail("camera " + camera + ": " + e.getMessage());
                scheduleRetry();
            } else {
                fail("camera " + camera + ": " + e.getMessage() + "; still listening on " + describeEndpoint()
                        + " as the file said before");
            }
            return;
        }
        if (rtpChannel == null || !reread.text().equals(sdp.text())) {
            open(reread);
        } else {
            fail(silenceReason(System.nanoTime())); // keeps the reason current: silence, or packets without frames
        }
    }

    private String silenceReason(long now) {
        String seconds = reconnect.toMillis() % 1000 == 0 ? reconnect.toSeconds() + " s" : reconnect.toMillis() + " ms";
        if (now - lastPacketNanos <= reconnectNanos && packets > 0) {
            return "camera " + camera + ": RTP arrives on " + describeEndpoint() + " but made no frames for " + seconds
                    + "; does " + sdpPath + " match the sender (payload type " + sdp.video().videoFormat().orElseThrow()
                    .payloadType() + ", " + sdp.video().videoCodec().orElseThrow() + ")?";
        }
        String reason = "camera " + camera + ": no RTP on " + describeEndpoint() + " for " + seconds
                + "; is the sender running?";
        if (sdp != null && sdp.multicast() && (multicastInterface == null || multicastInterface.isBlank())) {
            reason += " (if it arrives on another interface, set interface:)";
        }
        return reason;
    }

    private String describeEndpoint() {
        if (sdp == null) {
            return sdpPath.toString();
        }
        return sdp.multicast() ? sdp.where() + " (joined on " + MulticastInterfaces.names(joined) + ")" : sdp.where();
    }

    private void goOnline() {
        online = true;
        if (offlineReported) {
            offlineReported = false;
            reconnects++;
        }
        LOG.info(() -> "camera " + camera + ": receiving on " + describeEndpoint());
        events.onOnline(camera, false);
    }

    private void goOffline(String reason) {
        online = false;
        fail(reason);
    }

    /** Records a reason; tells the events once per spell offline, and logs each new reason. */
    private void fail(String reason) {
        if (!reason.equals(lastError)) {
            LOG.warning(reason);
        }
        lastError = reason;
        if (!offlineReported) {
            offlineReported = true;
            events.onOffline(camera, reason);
        }
    }

    // ------------------------------------------------------------------ closing

    /** Stops receiving and leaves the group; when this returns, no unit reaches the receiver's sink. */
    @Override
    public void close() {
        closed = true;
        if (loop.inEventLoop()) {
            teardown();
            return;
        }
        try {
            // Waiting makes the promise hold: a datagram being handled right now finishes before we return.
            loop.submit(this::teardown).awaitUninterruptibly(5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException loopShutDown) {
            // The loop closes its channels as it shuts down; no handler runs any more.
        }
    }

    private void teardown() {
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (retryTask != null) {
            retryTask.cancel(false);
        }
        closeSockets();
        online = false;
    }

    private void closeSockets() {
        if (rtpChannel != null) {
            rtpChannel.close();
            rtpChannel = null;
        }
        if (rtcpChannel != null) {
            rtcpChannel.close();
            rtcpChannel = null;
        }
        joined = List.of();
    }

    private static void closeQuietly(DatagramChannel socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    @Override
    public String toString() {
        return "SdpFileSource[" + camera + ", " + sdpPath + "]";
    }
}
