package io.virta.rtsp.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import io.virta.rtsp.RtpInfo;
import io.virta.rtsp.RtspHeaders;
import io.virta.rtsp.RtspProtocolException;
import io.virta.rtsp.RtspRequest;
import io.virta.rtsp.RtspResponse;
import io.virta.rtsp.RtspStreamParser;
import io.virta.rtsp.RtspUrl;
import io.virta.rtsp.SessionHeader;
import io.virta.rtsp.TransportHeader;
import io.virta.rtsp.auth.AuthenticationException;
import io.virta.rtsp.auth.Authenticator;
import io.virta.rtsp.auth.Credentials;
import io.virta.rtsp.sdp.MediaDescription;
import io.virta.rtsp.sdp.SdpException;
import io.virta.rtsp.sdp.SessionDescription;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One RTSP client session: connect, OPTIONS, DESCRIBE, SETUP of the first H264/H265 video track,
 * PLAY, keep-alives, and TEARDOWN on {@link #close()}.
 *
 * <p>Everything runs on one event-loop thread of the group it is given, so many cameras share a
 * few threads and the session needs no locks. A session plays once: when it fails or closes it
 * reports {@link RtspSessionListener#onClosed} exactly once, and a supervisor starts a new one.
 */
public final class RtspClientSession {
    public record Options(RtspTransport transport, Credentials credentials, Duration connectTimeout,
            Duration responseTimeout, Duration udpFallbackAfter, String userAgent) {
        public static Options defaults() {
            return new Options(RtspTransport.AUTO, null, Duration.ofSeconds(5), Duration.ofSeconds(10),
                    Duration.ofSeconds(3), "Virta");
        }

        public Options transport(RtspTransport t) {
            return new Options(t, credentials, connectTimeout, responseTimeout, udpFallbackAfter, userAgent);
        }

        public Options credentials(Credentials c) {
            return new Options(transport, c, connectTimeout, responseTimeout, udpFallbackAfter, userAgent);
        }

        public Options responseTimeout(Duration d) {
            return new Options(transport, credentials, connectTimeout, d, udpFallbackAfter, userAgent);
        }

        public Options udpFallbackAfter(Duration d) {
            return new Options(transport, credentials, connectTimeout, responseTimeout, d, userAgent);
        }
    }

    private enum State { CONNECTING, OPTIONS, DESCRIBE, SETUP, PLAY, PLAYING, TEARDOWN, CLOSED }

    private final EventLoopGroup group;
    private final RtspUrl url;
    private final Options options;
    private final RtspSessionListener listener;
    private final String logName;

    private Channel control;
    private Channel rtpSocket;
    private Channel rtcpSocket;
    private InetSocketAddress serverRtcpAddress;
    /** Which datagrams on the UDP sockets are the camera's; set by the SETUP reply, before PLAY. */
    private RtpSourceFilter sourceFilter;
    private State state = State.CONNECTING;
    private boolean overTcp;
    private int cseq;
    private long pendingCseq = -1;
    private String pendingMethod;
    private ScheduledFuture<?> responseTimer;
    private ScheduledFuture<?> keepAliveTimer;
    private ScheduledFuture<?> udpWatchdog;
    private Authenticator authenticator;
    private boolean resentAfter401;
    private boolean getParameterSupported;
    private String contentBase;
    private URI setupUri;
    private SessionHeader session;
    private volatile long packetsReceived;
    private int rtpChannel = 0;

    public RtspClientSession(EventLoopGroup group, RtspUrl url, Options options, RtspSessionListener listener) {
        this(group, url, options, listener, null);
    }

    /** @param camera names the camera in messages, next to its URL (without credentials); may be null */
    public RtspClientSession(EventLoopGroup group, RtspUrl url, Options options, RtspSessionListener listener,
            String camera) {
        this.group = group;
        this.url = url;
        this.options = options;
        this.listener = listener;
        this.logName = camera == null ? url.toString() : camera + " (" + url + ")";
        this.overTcp = options.transport() == RtspTransport.TCP;
        if (options.credentials() == null && url.hasCredentials()) {
            this.authCredentials = new Credentials(url.user(), url.password());
        } else {
            this.authCredentials = options.credentials();
        }
    }

    private final Credentials authCredentials;

    /** Connects and plays; progress and packets arrive at the listener. */
    public void start() {
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<NioSocketChannel>() {
                    @Override
                    protected void initChannel(NioSocketChannel ch) {
                        ch.pipeline().addLast(new ControlHandler());
                    }
                });
        bootstrap.connect(url.host(), url.port()).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                fail(new RtspSessionException(RtspSessionException.Kind.UNREACHABLE, "camera " + logName
                        + ": cannot connect to " + url.host() + ":" + url.port() + " (" + describe(f.cause())
                        + "); check the host and port, and that the camera is on", null, f.cause()));
                return;
            }
            control = f.channel();
            control.closeFuture().addListener(c -> onControlClosed());
            sendOptions();
        });
    }

    /** Sends TEARDOWN when playing, then closes; safe from any thread, and more than once. */
    public void close() {
        Channel c = control;
        if (c == null) {
            group.execute(() -> finish(null));
            return;
        }
        c.eventLoop().execute(() -> {
            if (state == State.CLOSED || state == State.TEARDOWN) {
                return;
            }
            if (session != null && control.isActive()) {
                state = State.TEARDOWN;
                send(new RtspRequest("TEARDOWN", requestTarget()));
                // Do not wait long for the answer: a camera that never answers must not delay shutdown.
                control.eventLoop().schedule(() -> finish(null), 500, TimeUnit.MILLISECONDS);
            } else {
                finish(null);
            }
        });
    }

    public boolean isOverTcp() {
        return overTcp;
    }

    public long packetsReceived() {
        return packetsReceived;
    }

    /** Sends an RTCP packet (a receiver report) to the server, over the transport in use. */
    public void sendRtcp(ByteBuf packet) {
        if (state != State.PLAYING) {
            packet.release();
            return;
        }
        if (overTcp) {
            ByteBuf framed = control.alloc().buffer(4 + packet.readableBytes());
            framed.writeByte('$').writeByte(rtpChannel + 1).writeShort(packet.readableBytes()).writeBytes(packet);
            packet.release();
            control.writeAndFlush(framed);
        } else if (rtcpSocket != null && serverRtcpAddress != null) {
            rtcpSocket.writeAndFlush(new DatagramPacket(packet, serverRtcpAddress));
        } else {
            packet.release();
        }
    }

    // ------------------------------------------------------------------ the request sequence

    private void sendOptions() {
        state = State.OPTIONS;
        send(new RtspRequest("OPTIONS", url.requestUri()));
    }

    private void sendDescribe() {
        state = State.DESCRIBE;
        send(new RtspRequest("DESCRIBE", url.requestUri()).header("Accept", "application/sdp"));
    }

    private void sendSetup() {
        state = State.SETUP;
        TransportHeader transport;
        if (overTcp) {
            transport = TransportHeader.interleaved(rtpChannel);
        } else {
            int port = bindUdpPair();
            if (port < 0) {
                fail(new RtspSessionException(RtspSessionException.Kind.LOST, "camera " + logName
                        + ": could not bind a pair of UDP ports for RTP/RTCP; use transport: tcp"));
                return;
            }
            transport = TransportHeader.udp(port);
        }
        send(new RtspRequest("SETUP", setupUri.toString()).header("Transport", transport.toRequestValue()));
    }

    private void sendPlay() {
        state = State.PLAY;
        send(new RtspRequest("PLAY", requestTarget()).header("Range", "npt=0.000-"));
    }

    private String requestTarget() {
        return contentBase != null ? contentBase : url.requestUri();
    }

    private void send(RtspRequest request) {
        request.header("CSeq", Integer.toString(++cseq));
        request.header("User-Agent", options.userAgent());
        if (session != null) {
            request.header("Session", session.id());
        }
        if (authenticator != null) {
            authenticator.authorization(request.method(), request.uri()).ifPresent(v -> request.header("Authorization", v));
        }
        pendingCseq = cseq;
        pendingMethod = request.method();
        cancel(responseTimer);
        responseTimer = control.eventLoop().schedule(this::onResponseTimeout, options.responseTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        control.writeAndFlush(Unpooled.wrappedBuffer(request.encode()));
    }

    private void onResponseTimeout() {
        if (state == State.TEARDOWN || state == State.CLOSED || pendingCseq < 0) {
            return;
        }
        fail(new RtspSessionException(RtspSessionException.Kind.TIMEOUT, "camera " + logName + ": no answer to "
                + pendingMethod + " within " + options.responseTimeout().toSeconds() + " s; the server accepts"
                + " connections but does not speak RTSP, or is overloaded"));
    }

    private void onResponse(RtspResponse response) {
        long answered;
        try {
            answered = response.cseq();
        } catch (RtspProtocolException e) {
            fail(protocol(e.getMessage(), e));
            return;
        }
        if (answered != pendingCseq && answered != -1) {
            return; // a late answer to a keep-alive or a retried request
        }
        pendingCseq = -1;
        cancel(responseTimer);
        if (response.status() != 401) {
            resentAfter401 = false;
        }
        if (state == State.PLAYING) {
            return; // keep-alive answered
        }
        if (state == State.TEARDOWN) {
            finish(null);
            return;
        }
        if (response.status() == 401) {
            onUnauthorized(response);
            return;
        }
        if (response.status() >= 300 && response.status() < 400 && response.headers().get("Location") != null) {
            String location = response.headers().get("Location");
            fail(new RtspSessionException(RtspSessionException.Kind.REDIRECTED, "camera " + logName + ": redirected to "
                    + RtspUrl.shown(location), location, null));
            return;
        }
        if (state == State.SETUP && response.status() == 461 && !overTcp && options.transport() == RtspTransport.AUTO) {
            fail(new RtspSessionException(RtspSessionException.Kind.LOST, "camera " + logName
                    + ": the server refuses RTP over UDP (461); falling back to TCP", "udp-blocked", null));
            return;
        }
        if (!response.isSuccess()) {
            fail(new RtspSessionException(RtspSessionException.Kind.REFUSED, "camera " + logName + ": " + pendingMethod
                    + " answered " + response.status() + " " + response.reason() + hint(response.status(), options.transport(), overTcp)));
            return;
        }
        try {
            switch (state) {
                case OPTIONS -> {
                    String publicMethods = response.headers().get("Public");
                    getParameterSupported = publicMethods != null
                            && publicMethods.toUpperCase(Locale.ROOT).contains("GET_PARAMETER");
                    sendDescribe();
                }
                case DESCRIBE -> onDescribe(response);
                case SETUP -> onSetup(response);
                case PLAY -> onPlay(response);
                default -> { }
            }
        } catch (RtspProtocolException | SdpException e) {
            fail(protocol(e.getMessage(), e));
        }
    }

    private void onUnauthorized(RtspResponse response) {
        String method = pendingMethod;
        if (authCredentials == null) {
            fail(new RtspSessionException(RtspSessionException.Kind.UNAUTHORIZED, "camera " + logName + ": " + method
                    + " needs a user and password (401); put them in the URL (rtsp://user:password@host/...) or in"
                    + " the camera's user/password settings"));
            return;
        }
        List<String> challenges = response.headers().getAll("WWW-Authenticate");
        boolean worthResending;
        try {
            if (authenticator == null) {
                authenticator = new Authenticator(authCredentials);
            }
            worthResending = authenticator.onUnauthorized(challenges) && !resentAfter401;
        } catch (AuthenticationException e) {
            fail(protocol("the camera's authentication challenge cannot be answered: " + e.getMessage(), e));
            return;
        }
        if (!worthResending) {
            fail(new RtspSessionException(RtspSessionException.Kind.UNAUTHORIZED, "camera " + logName
                    + ": the camera rejected user '" + authCredentials.user() + "' and its password (401 Unauthorized);"
                    + " check the credentials"));
            return;
        }
        resentAfter401 = true;
        switch (state) {
            case OPTIONS -> sendOptions();
            case DESCRIBE -> sendDescribe();
            case SETUP -> sendSetup();
            case PLAY -> sendPlay();
            default -> fail(protocol("401 in state " + state, null));
        }
    }

    private void onDescribe(RtspResponse response) throws SdpException, RtspProtocolException {
        contentBase = response.headers().get("Content-Base");
        if (contentBase == null) {
            contentBase = response.headers().get("Content-Location");
        }
        SessionDescription description = SessionDescription.parse(response.bodyText(), "DESCRIBE " + logName);
        MediaDescription video = null;
        for (MediaDescription m : description.media()) {
            if (m.videoCodec().isPresent()) {
                video = m;
                break;
            }
        }
        if (video == null) {
            throw new RtspProtocolException("the camera offers no H264 or H265 video track; its SDP lists "
                    + description.media().stream().map(MediaDescription::toString).toList());
        }
        setupUri = description.resolveControl(video, URI.create(url.requestUri()), contentBase);
        listener.onDescribed(description, video);
        sendSetup();
    }

    private void onSetup(RtspResponse response) throws RtspProtocolException {
        session = SessionHeader.parse(response.headers().get("Session"));
        TransportHeader transport = TransportHeader.parse(response.headers().get("Transport"));
        if (overTcp) {
            if (!transport.tcp()) {
                throw new RtspProtocolException("asked for TCP-interleaved RTP but the camera answered Transport: "
                        + response.headers().get("Transport"));
            }
            rtpChannel = transport.rtpChannel();
        } else {
            if (transport.tcp()) {
                throw new RtspProtocolException("asked for RTP over UDP but the camera answered Transport: "
                        + response.headers().get("Transport"));
            }
            InetAddress server = cameraSendsFrom(transport);
            sourceFilter = new RtpSourceFilter(server, transport.serverRtpPort() > 0 ? transport.serverRtpPort() : -1,
                    transport.serverRtcpPort() > 0 ? transport.serverRtcpPort() : -1, transport.ssrc());
            if (transport.serverRtcpPort() > 0) {
                serverRtcpAddress = new InetSocketAddress(server, transport.serverRtcpPort());
            }
            if (transport.serverRtpPort() > 0) {
                // Opens a NAT/firewall pinhole towards the camera, as RFC 7604 suggests.
                rtpSocket.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 0, 0, 0}),
                        new InetSocketAddress(server, transport.serverRtpPort())));
            }
        }
        sendPlay();
    }

    /**
     * The address the camera's RTP comes from: the reply's {@code source=} when it is an IP literal of
     * the connection's family (a camera behind a proxy), else the RTSP connection's peer.
     */
    private InetAddress cameraSendsFrom(TransportHeader transport) {
        InetAddress peer = ((InetSocketAddress) control.remoteAddress()).getAddress();
        String source = transport.source();
        if (source == null || source.isBlank()) {
            return peer;
        }
        try {
            InetAddress named = InetAddress.ofLiteral(source.strip());
            return named.getClass() == peer.getClass() ? named : peer;
        } catch (IllegalArgumentException e) {
            return peer; // a host name: never resolved here, the connection's peer is the safe choice
        }
    }

    private void onPlay(RtspResponse response) {
        RtpInfo.find(response.headers().get("RTP-Info"), setupUri).ifPresent(listener::onRtpInfo);
        state = State.PLAYING;
        long period = Math.max(5, session.timeoutSeconds() / 2);
        keepAliveTimer = control.eventLoop().scheduleAtFixedRate(this::keepAlive, period, period, TimeUnit.SECONDS);
        if (!overTcp && options.transport() == RtspTransport.AUTO) {
            udpWatchdog = control.eventLoop().schedule(this::checkUdpArrives, options.udpFallbackAfter().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        listener.onPlaying(overTcp);
    }

    private void keepAlive() {
        if (state != State.PLAYING) {
            return;
        }
        send(new RtspRequest(getParameterSupported ? "GET_PARAMETER" : "OPTIONS", requestTarget()));
    }

    private void checkUdpArrives() {
        if (state != State.PLAYING || packetsReceived > 0) {
            return;
        }
        fail(new RtspSessionException(RtspSessionException.Kind.LOST, "camera " + logName + ": no RTP over UDP within "
                + options.udpFallbackAfter().toMillis() + " ms; falling back to TCP", "udp-blocked", null));
    }

    /** True when this session failed because UDP was blocked; the supervisor then retries with TCP. */
    public static boolean isUdpBlocked(RtspSessionException e) {
        return e != null && "udp-blocked".equals(e.location());
    }

    // ------------------------------------------------------------------ UDP sockets

    /**
     * Binds an even RTP port and the odd port after it, on the local address of the RTSP connection (the
     * interface that reaches the camera, never every interface); returns the RTP port or -1.
     */
    private int bindUdpPair() {
        InetAddress local = ((InetSocketAddress) control.localAddress()).getAddress();
        for (int attempt = 0; attempt < 32; attempt++) {
            int port = 20_000 + 2 * ThreadLocalRandom.current().nextInt(20_000);
            Channel rtp = bindUdp(local, port, true);
            if (rtp == null) {
                continue;
            }
            Channel rtcp = bindUdp(local, port + 1, false);
            if (rtcp == null) {
                rtp.close();
                continue;
            }
            rtpSocket = rtp;
            rtcpSocket = rtcp;
            return port;
        }
        return -1;
    }

    /**
     * Binds with plain NIO, synchronously, then hands the socket to this session's event loop: a
     * Netty bind would complete on the very thread we are on, so it could not be awaited here.
     */
    private Channel bindUdp(InetAddress local, int port, boolean rtp) {
        java.nio.channels.DatagramChannel socket = null;
        try {
            socket = java.nio.channels.DatagramChannel.open(local instanceof java.net.Inet6Address
                    ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
            socket.setOption(java.net.StandardSocketOptions.SO_RCVBUF, rtp ? 4 * 1024 * 1024 : 64 * 1024);
            socket.bind(new InetSocketAddress(local, port));
        } catch (java.io.IOException e) {
            if (socket != null) {
                try {
                    socket.close();
                } catch (java.io.IOException ignored) {
                    // nothing more to release
                }
            }
            return null;
        }
        NioDatagramChannel channel = new NioDatagramChannel(socket);
        // RTP over UDP may legally be up to 64 KiB; the default 2 KiB would truncate silently.
        channel.config().setRecvByteBufAllocator(new io.netty.channel.FixedRecvByteBufAllocator(65536));
        channel.pipeline().addLast(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                // A server may send its first datagrams before its PLAY reply is read: they are the
                // start of the stream (the keyframe's head), so they are taken once PLAY is sent.
                if (state != State.PLAYING && state != State.PLAY) {
                    return;
                }
                RtpSourceFilter.Verdict verdict = rtp ? sourceFilter.checkRtp(packet.sender(), packet.content())
                        : sourceFilter.checkRtcp(packet.sender());
                if (verdict != RtpSourceFilter.Verdict.ACCEPTED) {
                    listener.onRejected(verdict);
                    return;
                }
                long now = System.nanoTime();
                if (rtp) {
                    packetsReceived++;
                    listener.onRtp(packet.content(), now);
                } else {
                    listener.onRtcp(packet.content(), now);
                }
            }
        });
        control.eventLoop().register(channel);
        return channel;
    }

    // ------------------------------------------------------------------ ending

    private void onControlClosed() {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.TEARDOWN) {
            finish(null);
            return;
        }
        fail(new RtspSessionException(RtspSessionException.Kind.LOST, "camera " + logName
                + ": the server closed the connection" + (state == State.PLAYING ? " while playing" : " during " + state)));
    }

    private void fail(RtspSessionException error) {
        finish(error);
    }

    private void finish(RtspSessionException error) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        cancel(responseTimer);
        cancel(keepAliveTimer);
        cancel(udpWatchdog);
        if (control != null) {
            control.close();
        }
        if (rtpSocket != null) {
            rtpSocket.close();
        }
        if (rtcpSocket != null) {
            rtcpSocket.close();
        }
        listener.onClosed(error);
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private RtspSessionException protocol(String message, Throwable cause) {
        return new RtspSessionException(RtspSessionException.Kind.PROTOCOL, "camera " + logName + ": " + message, null, cause);
    }

    /** What to do about a refusal; for 461, the transport settings other than the one refused. */
    static String hint(int status, RtspTransport configured, boolean overTcp) {
        return switch (status) {
            case 404 -> ": the path is wrong; check the stream path in the URL";
            case 403 -> ": the user may not view this stream";
            case 454 -> ": the session expired";
            case 461 -> ": the camera refuses RTP over " + (overTcp ? "TCP" : "UDP") + " (transport: "
                    + configured.name().toLowerCase(Locale.ROOT) + "); try transport: " + otherTransports(configured);
            case 503 -> ": the camera is busy (too many clients?)";
            default -> "";
        };
    }

    private static String otherTransports(RtspTransport configured) {
        List<String> others = new ArrayList<>();
        for (RtspTransport t : RtspTransport.values()) {
            if (t != configured) {
                others.add(t.name().toLowerCase(Locale.ROOT));
            }
        }
        return String.join(" or ", others);
    }

    private static String describe(Throwable t) {
        return t == null ? "unknown error" : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    // ------------------------------------------------------------------ the control connection

    private final class ControlHandler extends ByteToMessageDecoder implements RtspStreamParser.Listener {
        private final RtspStreamParser parser = new RtspStreamParser();

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            try {
                parser.parse(in, this);
            } catch (RtspProtocolException e) {
                in.skipBytes(in.readableBytes());
                fail(protocol(e.getMessage(), e));
            }
        }

        @Override
        public void onInterleaved(int channel, ByteBuf packet) {
            if (state != State.PLAYING) {
                return;
            }
            long now = System.nanoTime();
            if (channel == rtpChannel) {
                packetsReceived++;
                listener.onRtp(packet, now);
            } else if (channel == rtpChannel + 1) {
                listener.onRtcp(packet, now);
            }
        }

        @Override
        public void onResponse(RtspResponse response) {
            RtspClientSession.this.onResponse(response);
        }

        @Override
        public void onRequest(String method, String uri, RtspHeaders headers, byte[] body) {
            // Servers ping clients with GET_PARAMETER/OPTIONS; answering keeps them from dropping us.
            String cseqValue = headers.get("CSeq");
            String answer = "RTSP/1.0 " + (method.equals("GET_PARAMETER") || method.equals("OPTIONS") ? "200 OK"
                    : "501 Not Implemented") + "\r\nCSeq: " + (cseqValue == null ? "0" : cseqValue) + "\r\n\r\n";
            control.writeAndFlush(Unpooled.copiedBuffer(answer, java.nio.charset.StandardCharsets.US_ASCII));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(new RtspSessionException(RtspSessionException.Kind.LOST, "camera " + logName + ": connection error: "
                    + describe(cause), null, cause));
        }
    }
}
