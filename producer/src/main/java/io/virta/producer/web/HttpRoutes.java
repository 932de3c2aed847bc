package io.virta.producer.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.virta.hub.EventHub;
import io.virta.rtsp.fanout.IdleGuard;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One HTTP connection to the web view: the page, {@code GET /api/cameras}, the recordings
 * ({@code /api/recordings/<camera>}, {@code /export/<camera>.mp4}: {@link RecordingRoutes}) and the upgrades to
 * {@code /ws/<camera>} and {@code /ws/events}. Anything else, malformed or oversized gets a 4xx
 * with a sentence saying what to do, and the server goes on.
 */
final class HttpRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = Logger.getLogger(HttpRoutes.class.getName());
    /** Browsers send nothing but control frames; anything larger is not one of ours. */
    private static final int MAX_INBOUND_FRAME = 4096;
    private static final String JSON = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final WebView view;
    private final IdleGuard guard;
    /** The download this connection is writing now, to wake when it can write again; null between requests. */
    private volatile ChannelSink sink;

    HttpRoutes(WebView view, IdleGuard guard) {
        this.view = view;
        this.guard = guard;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        // A whole request: the connection has the request timeout again for its next one.
        guard.renew();
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            respond(ctx, request, status, TEXT, "malformed HTTP request: " + cause.getMessage() + "\n", false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        try {
            // Decoded lazily by Netty: decode now, so a bad escape is this request's 400, not a dropped connection.
            uri.path();
            uri.parameters();
        } catch (IllegalArgumentException e) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, "the URL has a malformed %-escape ("
                    + e.getMessage() + "); escape '%' as %25\n", false);
            return;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        String refusal = view.site().refuseHost(host);
        if (refusal == null) {
            refusal = view.site().refuseOrigin(request.headers().get(HttpHeaderNames.ORIGIN), host);
        }
        if (refusal != null) {
            // Checked before the token: a page that rebinds a DNS name, or opens a socket from another
            // site, learns nothing, whether or not it has the token.
            respond(ctx, request, HttpResponseStatus.FORBIDDEN, TEXT, refusal + "\n", false);
            return;
        }
        if (!view.token().admits(request, uri)) {
            FullHttpResponse response = response(HttpResponseStatus.UNAUTHORIZED, TEXT,
                    "this web view needs its token: add ?token=... to the URL, or send Authorization: Bearer ...;"
                            + " it is webView.token in the producer's YAML\n");
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"virta\"");
            send(ctx, request, response, true);
            return;
        }
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT,
                    request.method() + " is not served here; the web view answers GET only\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, request, response, true);
            return;
        }
        String path = uri.path();
        if (path.equals("/api/cameras")) {
            FullHttpResponse response = response(HttpResponseStatus.OK, JSON, view.cameraListJson());
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            send(ctx, request, response, true);
        } else if (path.startsWith(RecordingRoutes.RECORDINGS) || path.startsWith(RecordingRoutes.EXPORT)) {
            recorded(ctx, request, uri, path);
        } else if (path.equals("/ws/events")) {
            openEvents(ctx, request, uri);
        } else if (path.startsWith("/ws/")) {
            openVideo(ctx, request, path.substring(4));
        } else {
            StaticPage.File file = view.page().at(path);
            if (file == null) {
                respond(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, "nothing at " + path
                        + "; the page is /, the camera list /api/cameras, recordings /api/recordings/CAMERA\n", true);
            } else {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.wrappedBuffer(file.bytes()));
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, file.contentType())
                        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
                send(ctx, request, response, true);
            }
        }
    }

    /**
     * {@code /api/recordings/...} and {@code /export/...}: answered on a virtual thread (the index and the
     * segment files are read with blocking calls), while the connection reads no further request.
     */
    private void recorded(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, String path) {
        RecordingRoutes.Asked asked = new RecordingRoutes.Asked(path, uri.parameters(), request.headers().copy(),
                request.method() == HttpMethod.HEAD, HttpUtil.isKeepAlive(request));
        RecordingRoutes routes = view.recordingRoutes();
        ChannelSink sink = new ChannelSink(ctx.channel());
        this.sink = sink;
        ctx.channel().config().setAutoRead(false);
        // The browser sends nothing while a download runs, however long it takes.
        guard.disarm();
        Thread.ofVirtual().name("web-recordings").start(() -> {
            ChannelFuture answered;
            try {
                answered = path.startsWith(RecordingRoutes.EXPORT) ? routes.export(ctx.channel(), asked, sink)
                        : routes.recordings(ctx.channel(), asked);
            } catch (RuntimeException e) {
                // A bug or an unforeseen store error: the response may be half written, so the connection goes.
                LOG.log(Level.WARNING, "web view: " + path + " failed", e);
                answered = ctx.channel().close();
            }
            answered.addListener(f -> ctx.executor().execute(() -> {
                this.sink = null;
                if (ctx.channel().isActive()) {
                    guard.expectRequest();
                    ctx.channel().config().setAutoRead(true);
                }
            }));
        });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        ChannelSink writing = sink;
        if (writing != null) {
            writing.wake();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ChannelSink writing = sink;
        if (writing != null) {
            writing.wake();
        }
        super.channelInactive(ctx);
    }

    private void openVideo(ChannelHandlerContext ctx, FullHttpRequest request, String camera) {
        FragmentMount mount = view.mount(camera);
        if (mount == null) {
            boolean known = view.knowsCamera(camera);
            respond(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, known
                    ? "camera '" + camera + "' is stopped; start it and connect again\n"
                    : "no camera named '" + camera + "'; GET /api/cameras lists them\n", true);
            return;
        }
        if (!upgrade(ctx, request)) {
            return;
        }
        VideoClient client = new VideoClient(ctx.channel(), mount);
        if (!mount.add(client)) {
            ctx.close();
            return;
        }
        ctx.channel().closeFuture().addListener(f -> mount.remove(client));
        // The browser never writes to a video socket: it may stay silent as long as it watches.
        guard.disarm();
        ctx.pipeline().replace(this, "socket", new SocketFrames(null));
    }

    private void openEvents(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        EventHub hub = view.hub();
        if (hub == null) {
            respond(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT,
                    "the event hub is off (events.enabled: false), so there are no events to show\n", true);
            return;
        }
        Set<String> cameras = new LinkedHashSet<>(uri.parameters().getOrDefault("camera", List.of()));
        if (!upgrade(ctx, request)) {
            return;
        }
        EventSocket socket;
        try {
            socket = EventSocket.open(ctx.channel(), hub, cameras);
        } catch (RuntimeException e) {
            // The hub is closing, or serves its maximum of subscriptions.
            LOG.info(() -> "web view: no event subscription: " + e.getMessage());
            ctx.close();
            return;
        }
        guard.disarm();
        ctx.pipeline().replace(this, "socket", new SocketFrames(socket));
    }

    /** Answers the WebSocket handshake; false (and a 400) when the request is not a valid upgrade. */
    private boolean upgrade(ChannelHandlerContext ctx, FullHttpRequest request) {
        String location = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + request.uri();
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, null, false,
                MAX_INBOUND_FRAME).newHandshaker(request);
        if (handshaker == null || !HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(
                request.headers().get(HttpHeaderNames.UPGRADE, ""))) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT,
                    request.uri() + " is a WebSocket (version 13): connect with new WebSocket(...)\n", true);
            return false;
        }
        try {
            handshaker.handshake(ctx.channel(), request);
        } catch (WebSocketHandshakeException e) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT,
                    "bad WebSocket upgrade (" + e.getMessage() + "): connect with new WebSocket(...)\n", false);
            return false;
        }
        return true;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "web view connection closed on an error", cause);
        ctx.close();
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String contentType, String body, boolean keepAlive) {
        send(ctx, request, response(status, contentType, body), keepAlive);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return response;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
            boolean keepAlive) {
        boolean keep = keepAlive && HttpUtil.isKeepAlive(request);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (request.method() == HttpMethod.HEAD) {
            response.content().clear();
        }
        response.headers().set("X-Content-Type-Options", "nosniff");
        HttpUtil.setKeepAlive(response, keep);
        var written = ctx.writeAndFlush(response);
        if (!keep) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
