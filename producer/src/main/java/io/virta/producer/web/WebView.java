package io.virta.producer.web;

import io.virta.producer.config.SiteCheck;

import io.virta.producer.config.WebViewConfig;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.virta.hub.EventHub;
import io.virta.producer.status.CameraStatus;
import io.virta.rtsp.fanout.ClientListener;
import io.virta.producer.graph.FrameSink;
import io.virta.rtsp.media.AccessUnit;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The browser live view ({@code webView:}): an HTTP server on the producer's event loops. The
 * producer gives it each running camera's access units ({@link #mountCamera}) and, once open, its
 * event hub ({@link #events}), and its recording stores ({@link #recordings}). See docs/web.md for the page, the API and the stream format.
 *
 * <p>Who may use it: requests must name it in {@code Host} and come from its own pages ({@link SiteCheck}),
 * carry the token when one is set ({@link AccessToken}), and fit in {@code webView.maxConnections};
 * a connection must send each whole request within {@code webView.requestTimeoutSeconds} (a WebSocket,
 * which the browser never writes to, is exempt once upgraded).
 */
public final class WebView implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebView.class.getName());
    private static final int MAX_INITIAL_LINE = 4096;
    private static final int MAX_HEADERS = 8192;
    /** Requests are GETs: a body is only ever a mistake or an attack. */
    private static final int MAX_BODY = 8192;
    /** How often exports kept for Range requests are checked for idleness (and closed). */
    private static final int EXPORT_SWEEP_SECONDS = 5;
    /**
     * Above this much unsent video a browser counts as slow and loses fragments until a keyframe:
     * a few keyframes of a 1080p camera, well under a second of video.
     */
    private static final WriteBufferWaterMark CLIENT_BUFFER = new WriteBufferWaterMark(1024 * 1024, 4 * 1024 * 1024);

    private final AccessToken token;
    private final SiteCheck site;
    private final StaticPage page = new StaticPage();
    private final Supplier<List<CameraStatus>> cameras;
    private final Function<String, String> rtspUrl;
    private final Map<String, FragmentMount> mounts = new ConcurrentHashMap<>();
    private volatile EventHub hub;
    private volatile RecordingSource recordings = RecordingSource.NONE;
    private final ExportCache exports = new ExportCache();
    private final io.netty.util.concurrent.ScheduledFuture<?> exportSweep;
    private final ClientListener listener;
    private final String host;

    private WebView(WebViewConfig config, EventLoopGroup group, Supplier<List<CameraStatus>> cameras,
            Function<String, String> rtspUrl) throws InterruptedException {
        this.token = new AccessToken(config.token());
        this.cameras = cameras;
        this.rtspUrl = rtspUrl;
        InetSocketAddress listen = io.virta.grpc.server.ListenAddress.parse(config.listen());
        listener = ClientListener.bind("webView", group, listen.getHostString(), listen.getPort(), CLIENT_BUFFER,
                config.limits(), (ch, guard) -> ch.pipeline().addLast(
                        new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_BODY),
                        new HttpObjectAggregator(MAX_BODY), new HttpRoutes(this, guard)));
        InetSocketAddress bound = listener.localAddress();
        // localhost resolves to loopback on the browser's own machine: rebinding cannot point it elsewhere.
        this.site = new SiteCheck(config.allowedHosts(), config.allowedOrigins(),
                bound.getAddress().isLoopbackAddress() || bound.getAddress().isAnyLocalAddress());
        String address = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
        this.host = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
        this.exportSweep = group.next().scheduleWithFixedDelay(exports::sweep, EXPORT_SWEEP_SECONDS,
                EXPORT_SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Listens at {@code config.listen()} on {@code group}.
     *
     * @param cameras every camera the producer knows, for the status API
     * @param rtspUrl a camera's re-served RTSP URL, or null when the RTSP server is off
     * @throws IllegalStateException naming {@code webView.listen} when it cannot listen there
     */
    public static WebView start(WebViewConfig config, EventLoopGroup group, Supplier<List<CameraStatus>> cameras,
            Function<String, String> rtspUrl) {
        try {
            WebView view = new WebView(config, group, cameras, rtspUrl);
            LOG.info(() -> "web live view at " + view.url());
            return view;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding webView.listen " + config.listen(), e);
        } catch (Exception e) {
            // Netty's sync() rethrows the BindException undeclared: catch it here, where the setting is known.
            throw new IllegalStateException("webView.listen " + config.listen() + ": cannot listen there ("
                    + e.getMessage() + "); pick a free port or another address, or stop the program using it"
                    + " (ss -ltnp shows it)", e);
        }
    }

    /** The page's URL (without the token). */
    public String url() {
        return "http://" + host + ":" + port() + "/";
    }

    public int port() {
        return listener.localAddress().getPort();
    }

    /** Its connections: open now, refused at the cap, closed for silence. */
    public ClientListener connections() {
        return listener;
    }

    /** Starts serving a running camera; feed the returned sink its access units (from its ingest thread). */
    public FrameSink<AccessUnit> mountCamera(String camera) {
        FragmentMount mount = new FragmentMount(camera);
        FragmentMount before = mounts.put(camera, mount);
        if (before != null) {
            before.close();
        }
        return mount;
    }

    /** The camera stopped: its browsers are disconnected (their pages reconnect until it is back). */
    public void unmountCamera(String camera, FrameSink<AccessUnit> mount) {
        if (mount instanceof FragmentMount fragments) {
            mounts.remove(camera, fragments);
            fragments.close();
        }
    }

    /** Feeds {@code /ws/events} from {@code hub}; until then (or with null) it answers 503. */
    public void events(EventHub hub) {
        this.hub = hub;
    }

    /**
     * Serves {@code /api/recordings/CAMERA} and {@code /export/CAMERA.mp4} from {@code source}; until then
     * they answer 503 (no recording).
     */
    public void recordings(RecordingSource source) {
        this.recordings = source;
    }

    /** Exports kept now for the Range requests that follow their first (at most {@value ExportCache#MAX_FILES}). */
    public int exportsKept() {
        return exports.size();
    }

    /** Exports planned since start: the export requests that found no kept file of their URL. */
    public long exportsPlanned() {
        return exports.plans();
    }

    /** Browsers watching {@code camera} now. */
    public int clients(String camera) {
        FragmentMount mount = mounts.get(camera);
        return mount == null ? 0 : mount.clients();
    }

    /** Fragments browsers of {@code camera} lost because they could not keep up. */
    public long fragmentsDropped(String camera) {
        FragmentMount mount = mounts.get(camera);
        return mount == null ? 0 : mount.fragmentsDropped();
    }

    @Override
    public void close() {
        listener.close();
        exportSweep.cancel(false);
        exports.close();
        for (FragmentMount mount : mounts.values()) {
            mount.close();
        }
        mounts.clear();
    }

    SiteCheck site() {
        return site;
    }

    AccessToken token() {
        return token;
    }

    StaticPage page() {
        return page;
    }

    RecordingRoutes recordingRoutes() {
        return new RecordingRoutes(recordings, exports, Clock.systemUTC());
    }

    EventHub hub() {
        return hub;
    }

    FragmentMount mount(String camera) {
        return mounts.get(camera);
    }

    boolean knowsCamera(String camera) {
        return cameras.get().stream().anyMatch(c -> c.name().equals(camera));
    }

    String cameraListJson() {
        return CameraListJson.of(cameras.get(), mounts::get, rtspUrl);
    }
}
