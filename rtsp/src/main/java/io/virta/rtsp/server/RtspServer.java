package io.virta.rtsp.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.virta.rtsp.fanout.ClientListener;
import io.virta.rtsp.fanout.ConnectionLimits;
import io.virta.rtsp.fanout.IdleGuard;
import io.virta.rtsp.RtspHeaders;
import io.virta.rtsp.RtspProtocolException;
import io.virta.rtsp.RtspResponse;
import io.virta.rtsp.RtspStreamParser;
import io.virta.rtsp.SessionHeader;
import io.virta.rtsp.TransportHeader;
import io.virta.rtsp.auth.ServerAuthenticator;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves {@link MediaMount}s over RTSP 1.0: OPTIONS, DESCRIBE, SETUP (TCP-interleaved or UDP
 * unicast), PLAY, GET_PARAMETER and TEARDOWN, on a Netty event loop.
 *
 * <p>Each connection, and everything its sessions send, stays on the event loop that accepted it, so
 * clients spread over the loops. A UDP session gets its own RTP/RTCP port pair ({@link RtpPortPair})
 * at SETUP, named in the reply's {@code server_port=}, and gives it back at TEARDOWN or when its
 * connection closes: a session lives as long as the connection that set it up.
 *
 * <p><b>Connections and timeouts</b> ({@link ConnectionLimits}, default {@link ConnectionLimits#DEFAULTS}):
 * at most {@code maxConnections} connections; a connection that is not playing must send a whole
 * request within {@code requestTimeout} of connecting and of its previous request. While one of its
 * sessions plays, it may stay silent for the session timeout advertised in SETUP ({@code Session:
 * id;timeout=60}), renewed as RTSP allows: any request (GET_PARAMETER, OPTIONS...), RTCP or other
 * interleaved data on the connection, or, for a UDP session, a datagram from the client's address on
 * the session's RTP/RTCP ports. A connection silent past that is closed with its sessions.
 */
public final class RtspServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RtspServer.class.getName());
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(60);
    /** A client SETting UP sessions without end would otherwise grow the server's memory without end. */
    private static final int MAX_SESSIONS_PER_CONNECTION = 16;
    private static final String PUBLIC_METHODS = "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER";
    /** Above this much unsent data a client counts as slow and loses frames: its TCP connection's or its RTP socket's. */
    private static final WriteBufferWaterMark CLIENT_BUFFER = new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);

    private final EventLoopGroup group;
    private final Map<String, MediaMount> mounts = new ConcurrentHashMap<>();
    /** Null: anyone may play. */
    private volatile ServerAuthenticator authenticator;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private ConnectionLimits limits = ConnectionLimits.DEFAULTS;
    private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
    private ClientListener listener;

    public RtspServer(EventLoopGroup group) {
        this.group = group;
    }

    /** Offers {@code mount} at its path, in place of any mount there before. */
    public RtspServer mount(MediaMount mount) {
        MediaMount before = mounts.put(normalize(mount.path()), mount);
        if (before != null && before != mount) {
            before.disconnectAll();
        }
        return this;
    }

    /** Stops offering {@code mount} (if it is still the one at its path); its clients stop receiving. */
    public void unmount(MediaMount mount) {
        mounts.remove(normalize(mount.path()), mount);
        mount.disconnectAll();
    }

    /** How many streams it offers now. */
    public int mountCount() {
        return mounts.size();
    }

    /** The mount at {@code path}, or null. */
    public MediaMount mountAt(String path) {
        return mounts.get(normalize(path));
    }

    /** Requires every request but OPTIONS to carry credentials {@code authenticator} accepts. */
    public RtspServer requireAuthentication(ServerAuthenticator authenticator) {
        this.authenticator = authenticator;
        return this;
    }

    /** Caps connections and times out silent ones (before {@link #bind}); {@link ConnectionLimits#DEFAULTS} otherwise. */
    public RtspServer limits(ConnectionLimits limits) {
        this.limits = limits;
        return this;
    }

    /**
     * How long a playing client may stay silent (before {@link #bind}), advertised in SETUP's
     * {@code Session: ...;timeout=} in whole seconds; {@link #DEFAULT_SESSION_TIMEOUT} otherwise.
     */
    public RtspServer sessionTimeout(Duration timeout) {
        if (timeout.toSeconds() < 1) {
            throw new IllegalArgumentException("the session timeout is at least 1 s (RTSP states it in seconds), not " + timeout);
        }
        this.sessionTimeout = Duration.ofSeconds(timeout.toSeconds());
        return this;
    }

    /** Binds {@code host:port} (port 0 picks a free one); UDP sessions get their ports on the same host. */
    public RtspServer bind(String host, int port) throws InterruptedException {
        listener = ClientListener.bind("rtspServer", group, host, port, CLIENT_BUFFER, limits, (ch, guard) -> {
            connections.add(ch);
            ch.pipeline().addLast(new Connection(guard));
        });
        return this;
    }

    public int port() {
        return listener.localAddress().getPort();
    }

    /** Its connections: open now, refused at the cap, closed for silence. */
    public ClientListener connections() {
        return listener;
    }

    public String url(String path) {
        InetSocketAddress address = listener.localAddress();
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
        return "rtsp://" + host + ":" + address.getPort() + "/" + normalize(path);
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
        // Their sessions' UDP ports close with them.
        connections.close().syncUninterruptibly();
    }

    /** Where UDP sessions bind: the listener's address, so they answer on the interface clients reach it by. */
    private InetAddress udpHost() {
        return listener.localAddress().getAddress();
    }

    /** {@code text} safe to echo: control characters replaced, at most 200 characters. */
    private static String printable(String text) {
        String cut = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return cut.replaceAll("[\\p{Cntrl}]", "?");
    }

    private static String normalize(String path) {
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** The mount a request URI names: its path, less any track suffix. */
    private MediaMount find(String uri) {
        String path;
        try {
            path = URI.create(uri).getPath();
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (path == null) {
            return null;
        }
        path = normalize(path);
        MediaMount mount = mounts.get(path);
        if (mount == null && path.endsWith("track1")) {
            mount = mounts.get(normalize(path.substring(0, path.length() - "track1".length())));
        }
        return mount;
    }

    private final class Connection extends ByteToMessageDecoder implements RtspStreamParser.Listener {
        private final RtspStreamParser parser = new RtspStreamParser();
        private final Map<String, ServerSession> sessions = new HashMap<>();
        private final IdleGuard guard;
        private ChannelHandlerContext context;

        Connection(IdleGuard guard) {
            this.guard = guard;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            context = ctx;
            try {
                parser.parse(in, this);
            } catch (RtspProtocolException e) {
                // The stream is out of step: say why, then hang up, since nothing after it can be trusted.
                in.skipBytes(in.readableBytes());
                reply("400 Bad Request", "0", Map.of("Connection", "close"), e.getMessage() + "\r\n");
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            for (ServerSession s : sessions.values()) {
                s.close();
            }
            sessions.clear();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void onInterleaved(int channel, ByteBuf packet) {
            // RTCP from the client: it is alive, which is all we read from it.
            guard.renew();
        }

        @Override
        public void onResponse(RtspResponse response) {
            // Answers to nothing we asked: ignore.
        }

        @Override
        public void onRequest(String method, String uri, RtspHeaders headers, byte[] body) {
            guard.renew();
            String cseq = headers.get("CSeq") == null ? "0" : headers.get("CSeq").trim();
            if (cseq.chars().anyMatch(c -> c < '0' || c > '9') || cseq.length() > 10) {
                reply("400 Bad Request", "0", null, "CSeq '" + printable(cseq) + "' is not a number\r\n");
                return;
            }
            ServerAuthenticator auth = authenticator;
            if (auth != null && !method.equals("OPTIONS")) {
                ServerAuthenticator.Verdict verdict = auth.check(method, headers.get("Authorization"));
                if (verdict != ServerAuthenticator.Verdict.ACCEPTED) {
                    reply("401 Unauthorized", cseq,
                            Map.of("WWW-Authenticate", auth.challenge(verdict == ServerAuthenticator.Verdict.STALE_NONCE)), null);
                    return;
                }
            }
            try {
                dispatch(method, uri, cseq, headers);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "RTSP " + method + " " + printable(uri) + " failed", e);
                reply("500 Internal Server Error", cseq, null, null);
            }
        }

        private void dispatch(String method, String uri, String cseq, RtspHeaders headers) {
            switch (method) {
                case "OPTIONS" -> reply("200 OK", cseq, Map.of("Public", PUBLIC_METHODS), null);
                case "DESCRIBE" -> describe(uri, cseq);
                case "SETUP" -> setup(uri, cseq, headers);
                case "PLAY" -> play(cseq, headers);
                case "GET_PARAMETER", "SET_PARAMETER" -> reply("200 OK", cseq, sessionHeader(headers), null);
                case "TEARDOWN" -> teardown(cseq, headers);
                default -> reply("501 Not Implemented", cseq, Map.of("Public", PUBLIC_METHODS), null);
            }
        }

        private void describe(String uri, String cseq) {
            MediaMount mount = find(uri);
            if (mount == null) {
                reply("404 Not Found", cseq, null, null);
                return;
            }
            String base = uri.endsWith("/") ? uri : uri + "/";
            String sdp = "v=0\r\n"
                    + "o=- " + ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE) + " 1 IN IP4 127.0.0.1\r\n"
                    + "s=Virta " + mount.path() + "\r\n"
                    + "c=IN IP4 0.0.0.0\r\n"
                    + "t=0 0\r\n"
                    + "a=control:*\r\n"
                    + "a=range:npt=now-\r\n"
                    + mount.sdpMedia();
            reply("200 OK", cseq, Map.of("Content-Base", base, "Content-Type", "application/sdp"), sdp);
        }

        private void setup(String uri, String cseq, RtspHeaders headers) {
            MediaMount mount = find(uri);
            if (mount == null) {
                reply("404 Not Found", cseq, null, null);
                return;
            }
            TransportHeader requested;
            try {
                requested = TransportHeader.parse(headers.get("Transport"));
            } catch (RtspProtocolException e) {
                reply("461 Unsupported Transport", cseq, null, null);
                return;
            }
            if (requested.multicast() || (!requested.tcp() && requested.clientRtpPort() <= 0)) {
                reply("461 Unsupported Transport", cseq, null, null);
                return;
            }
            if (sessions.size() >= MAX_SESSIONS_PER_CONNECTION) {
                reply("453 Not Enough Bandwidth", cseq, null, "at most " + MAX_SESSIONS_PER_CONNECTION
                        + " sessions per connection; TEARDOWN one first\r\n");
                return;
            }
            String id = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            ServerSession session;
            String transport;
            if (requested.tcp()) {
                session = ServerSession.interleaved(id, mount, context.channel(), requested.rtpChannel());
                transport = "RTP/AVP/TCP;unicast;interleaved=" + requested.rtpChannel() + "-" + requested.rtcpChannel();
            } else {
                InetSocketAddress peer = (InetSocketAddress) context.channel().remoteAddress();
                InetSocketAddress clientRtp = new InetSocketAddress(peer.getAddress(), requested.clientRtpPort());
                RtpPortPair ports;
                try {
                    ports = RtpPortPair.open(udpHost(), clientRtp, context.channel().eventLoop(), CLIENT_BUFFER,
                            guard::renew);
                } catch (IOException e) {
                    // 461 rather than 5xx: clients that can fall back to TCP-interleaved do so on it.
                    LOG.warning("RTSP SETUP over UDP from " + peer + ": " + e.getMessage());
                    reply("461 Unsupported Transport", cseq, null, e.getMessage() + "\r\n");
                    return;
                }
                session = ServerSession.udp(id, mount, context.channel(), ports);
                int serverPort = ports.rtpPort();
                transport = "RTP/AVP;unicast;client_port=" + requested.clientRtpPort() + "-" + requested.clientRtcpPort()
                        + ";server_port=" + serverPort + "-" + (serverPort + 1);
            }
            sessions.put(id, session);
            reply("200 OK", cseq, Map.of("Transport", transport, "Session", id + ";timeout=" + sessionTimeout.toSeconds()), null);
        }

        private void play(String cseq, RtspHeaders headers) {
            ServerSession session = session(headers);
            if (session == null) {
                reply("454 Session Not Found", cseq, null, null);
                return;
            }
            // Registered before the reply, so a client that has its 200 is counted; packets still follow the
            // reply, because the mount delivers them in a task on this same event loop.
            session.mount.play(session);
            session.playing = true;
            guard.allowSilence(sessionTimeout);
            reply("200 OK", cseq, Map.of("Session", session.id, "Range", "npt=now-"), null);
        }

        private void teardown(String cseq, RtspHeaders headers) {
            ServerSession session = session(headers);
            if (session != null) {
                session.close();
                sessions.remove(session.id);
                if (sessions.values().stream().noneMatch(s -> s.playing)) {
                    guard.expectRequest();
                }
            }
            reply("200 OK", cseq, null, null);
        }

        private ServerSession session(RtspHeaders headers) {
            try {
                String value = headers.get("Session");
                return value == null ? null : sessions.get(SessionHeader.parse(value).id());
            } catch (RtspProtocolException e) {
                return null;
            }
        }

        private Map<String, String> sessionHeader(RtspHeaders headers) {
            String value = headers.get("Session");
            return value == null ? null : Map.of("Session", value.split(";")[0].trim());
        }

        private void reply(String status, String cseq, Map<String, String> extra, String body) {
            StringBuilder text = new StringBuilder("RTSP/1.0 ").append(status).append("\r\nCSeq: ").append(cseq)
                    .append("\r\nServer: Virta\r\n");
            if (extra != null) {
                extra.forEach((k, v) -> text.append(k).append(": ").append(v).append("\r\n"));
            }
            if (!context.channel().isActive()) {
                return;
            }
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0) {
                if (extra == null || !extra.containsKey("Content-Type")) {
                    text.append("Content-Type: text/plain; charset=utf-8\r\n");
                }
                text.append("Content-Length: ").append(bytes.length).append("\r\n");
            }
            text.append("\r\n");
            ByteBuf out = Unpooled.buffer();
            out.writeCharSequence(text, StandardCharsets.UTF_8);
            out.writeBytes(bytes);
            context.writeAndFlush(out);
        }
    }
}
