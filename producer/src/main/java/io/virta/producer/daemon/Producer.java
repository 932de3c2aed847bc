package io.virta.producer.daemon;

import io.virta.producer.status.CameraStatus;

import io.virta.bus.posix.CpuAffinity;

import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.virta.producer.config.CameraConfig;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.config.RtspServerConfig;
import io.virta.rtsp.auth.ServerAuthenticator;
import io.virta.producer.rtp.out.RtpSender;
import io.virta.rtsp.server.CameraMount;
import io.virta.rtsp.server.MediaMount;
import io.virta.rtsp.server.RtspServer;
import io.virta.producer.ingest.CameraPipeline;
import io.virta.producer.ingest.DecodeWorker;
import io.virta.producer.source.CameraSource;
import io.virta.producer.source.StreamEvents;
import io.virta.producer.ingest.VideoTrackReceiver;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.client.RtspTransport;
import io.virta.producer.supervise.WorkerStatus;
import io.virta.producer.supervise.JvmLaunch;
import io.virta.producer.supervise.WorkerSupervisor;
import io.virta.producer.web.WebView;
import io.virta.producer.graph.FrameSink;
import io.virta.rtsp.media.AccessUnit;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs every camera of a {@link ProducerConfig}: all RTSP sessions share
 * {@link ProducerConfig#ioThreads()} event-loop threads (one camera stays on one of them), and each
 * decoding camera has a decoder thread of its own.
 *
 * <p>Cameras can be added, removed, stopped and started while it runs. A stopped camera keeps its
 * configuration (and its stream number) but has no pipeline and no channels.
 */
public final class Producer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Producer.class.getName());

    private final ProducerConfig config;
    private final NioEventLoopGroup io;
    /** Every camera, running or stopped, in the order it was added. */
    private final Map<String, Camera> cameras = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Serializes add, remove, start, stop and close; stopping waits for a TEARDOWN and the decoder. */
    private final Object lifecycle = new Object();
    private volatile WorkerSupervisor workers;
    private final StreamEvents events;
    private final ScheduledFuture<?> rateSampler;
    /** Null unless {@code rtspServer:} is on. */
    private final RtspServer rtspServer;
    /** Null unless {@code webView:} is on. */
    private final WebView webView;
    private int nextSlot = 1;
    private boolean closed;

    public Producer(ProducerConfig config, StreamEvents events) {
        FfmpegLog.quiet();
        this.config = config;
        this.events = events;
        DefaultThreadFactory named = new DefaultThreadFactory("virta-io", true);
        java.util.concurrent.ThreadFactory pinned = task -> named.newThread(() -> {
            CpuAffinity.pinCurrentThread(config.ioCpus());
            task.run();
        });
        this.io = new NioEventLoopGroup(config.ioThreads(), config.ioCpus() == null ? named : pinned);
        this.rateSampler = io.scheduleAtFixedRate(this::sampleRates, 1, 1, TimeUnit.SECONDS);
        this.rtspServer = config.rtspServer().enabled() ? startRtspServer(config.rtspServer()) : null;
        this.webView = config.webView().enabled() ? startWebView() : null;
    }

    private RtspServer startRtspServer(RtspServerConfig settings) {
        InetSocketAddress listen = ProducerConfig.listenAddress(settings.listen());
        RtspServer server = new RtspServer(io).limits(settings.limits()).sessionTimeout(settings.sessionTimeout());
        if (settings.authentication() != RtspServerConfig.Authentication.NONE) {
            server.requireAuthentication(new ServerAuthenticator(
                    settings.authentication() == RtspServerConfig.Authentication.DIGEST, settings.users()));
        }
        try {
            server.bind(listen.getHostString(), listen.getPort());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("interrupted while binding rtspServer.listen " + settings.listen(), e);
        } catch (Exception e) {
            // Netty's sync() rethrows the BindException undeclared: catch it here, where the setting is known.
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("rtspServer.listen " + settings.listen() + ": cannot listen there ("
                    + e.getMessage() + "); pick a free port or another address, or stop the program using it"
                    + " (ss -ltnp shows it)", e);
        }
        LOG.info(() -> "re-serving cameras at " + server.url("<camera>"));
        return server;
    }

    private WebView startWebView() {
        try {
            return WebView.start(config.webView(), io, this::statuses,
                    camera -> rtspServer == null ? null : rtspServer.url(camera));
        } catch (RuntimeException e) {
            if (rtspServer != null) {
                rtspServer.close();
            }
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The browser live view; null when {@code webView:} is off. */
    /** The configuration it was made with (cameras added or removed since are not in it). */
    public ProducerConfig config() {
        return config;
    }

    public WebView webView() {
        return webView;
    }

    /** The RTSP server re-serving the cameras; null when {@code rtspServer:} is off. */
    public RtspServer rtspServer() {
        return rtspServer;
    }

    public Producer start() {
        for (CameraConfig camera : config.cameras()) {
            add(camera);
        }
        return this;
    }

    /**
     * Adds and starts a camera at runtime.
     *
     * @throws CameraExistsException if a camera of that name exists, running or stopped
     * @throws IllegalStateException if the producer is shutting down
     */
    public CameraPipeline add(CameraConfig camera) {
        synchronized (lifecycle) {
            ensureOpen();
            if (cameras.containsKey(camera.name())) {
                throw new CameraExistsException(camera.name());
            }
            Camera entry = new Camera(camera, nextSlot++);
            CameraPipeline pipeline = launch(entry);
            cameras.put(camera.name(), entry);
            return pipeline;
        }
    }

    /** Stops a camera (TEARDOWN, channels closed) and forgets it; false if there is none of that name. */
    public boolean remove(String name) {
        synchronized (lifecycle) {
            Camera entry = cameras.remove(name);
            if (entry == null) {
                return false;
            }
            halt(entry);
            closeRtpOut(entry);
            return true;
        }
    }

    /**
     * Stops a camera but keeps its configuration for {@link #start(String)}: TEARDOWN, channels
     * closed (readers see END_OF_STREAM). False if there is no camera of that name; a stopped one
     * stays stopped.
     */
    public boolean stop(String name) {
        synchronized (lifecycle) {
            Camera entry = cameras.get(name);
            if (entry == null) {
                return false;
            }
            halt(entry);
            return true;
        }
    }

    /**
     * Starts a stopped camera again with its configuration; a running one is left alone. False if
     * there is no camera of that name.
     *
     * @throws IllegalStateException if the producer is shutting down
     */
    public boolean start(String name) {
        synchronized (lifecycle) {
            ensureOpen();
            Camera entry = cameras.get(name);
            if (entry == null) {
                return false;
            }
            if (entry.run == null) {
                launch(entry);
            }
            return true;
        }
    }

    /** The running cameras' pipelines. */
    public List<CameraPipeline> cameras() {
        List<CameraPipeline> running = new ArrayList<>();
        for (Camera entry : entries()) {
            Run run = entry.run;
            if (run != null) {
                running.add(run.pipeline);
            }
        }
        return running;
    }

    /** The pipeline of a running camera; null if there is none of that name or it is stopped. */
    public CameraPipeline camera(String name) {
        Camera entry = cameras.get(name);
        Run run = entry == null ? null : entry.run;
        return run == null ? null : run.pipeline;
    }

    /** A snapshot of one camera, running or stopped; null if there is none of that name. */
    public CameraStatus status(String name) {
        Camera entry = cameras.get(name);
        return entry == null ? null : snapshot(entry);
    }

    /** Snapshots of every camera, in the order they were added. */
    public List<CameraStatus> statuses() {
        List<CameraStatus> all = new ArrayList<>();
        for (Camera entry : entries()) {
            all.add(snapshot(entry));
        }
        return all;
    }

    /**
     * The channels a camera publishes now (none while it is stopped, or before its first session
     * told the codec); null if there is no camera of that name.
     */
    public List<CameraPipeline.PublishedChannel> channels(String name) {
        Camera entry = cameras.get(name);
        if (entry == null) {
            return null;
        }
        Run run = entry.run;
        return run == null ? List.of() : run.pipeline.publishedChannels();
    }

    /**
     * Launches the configuration's workers and keeps them running until {@link #close()}.
     *
     * @param control     the control API's {@code HOST:PORT}, which workers use to find channels and report events
     * @param javaWorkers how the application starts a Java worker ({@code virta worker}, for the virta command)
     */
    public WorkerSupervisor startWorkers(String control, JvmLaunch javaWorkers, WorkerSupervisor.OutputSink output) {
        return startWorkers(control, Map.of(), javaWorkers, output);
    }

    /**
     * Launches the configuration's workers with {@code clientEnvironment} added to their environment: the
     * control API's token ({@code VIRTA_TOKEN_FILE} or {@code VIRTA_TOKEN}) and CA file, see
     * {@code ControlServer.clientEnvironment()}; never on their command line, where {@code ps} shows it.
     *
     * @param control     the control API's address ({@code HOST:PORT} or {@code unix:PATH})
     * @param javaWorkers as above
     */
    public WorkerSupervisor startWorkers(String control, Map<String, String> clientEnvironment, JvmLaunch javaWorkers,
            WorkerSupervisor.OutputSink output) {
        synchronized (lifecycle) {
            ensureOpen();
            if (workers != null) {
                throw new IllegalStateException("workers are started already");
            }
            workers = new WorkerSupervisor(config.workers(), control, clientEnvironment, javaWorkers, output).start();
            return workers;
        }
    }

    /**
     * Stops the workers (SIGTERM, then SIGKILL after a grace period). Call it before closing the event
     * hub, so workers can still send their last events while they stop; {@link #close()} calls it too.
     */
    public void stopWorkers() {
        WorkerSupervisor supervisor = workers;
        if (supervisor != null) {
            supervisor.close();
        }
    }

    /** The supervised workers' state; empty when none are configured or they are not started. */
    public List<WorkerStatus> workerStatuses() {
        WorkerSupervisor supervisor = workers;
        return supervisor == null ? List.of() : supervisor.statuses();
    }

    /**
     * Stops the workers, tears every session down, closes the channels (readers see END_OF_STREAM)
     * and stops the threads.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            // Workers first: they should end by their own SIGTERM, not see their channels vanish.
            stopWorkers();
            rateSampler.cancel(false);
            for (Camera entry : entries()) {
                halt(entry);
                closeRtpOut(entry);
            }
            cameras.clear();
            if (rtspServer != null) {
                rtspServer.close();
            }
            if (webView != null) {
                webView.close();
            }
        }
        // Leave the TEARDOWNs a moment to go out before the sockets close.
        io.shutdownGracefully(300, 2000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the producer is shutting down");
        }
    }

    private List<Camera> entries() {
        synchronized (cameras) {
            return new ArrayList<>(cameras.values());
        }
    }

    /** Builds and starts a pipeline for a camera that has none. */
    private CameraPipeline launch(Camera entry) {
        RtpSender rtpOut = openRtpOut(entry);
        Session session = new Session(events);
        CameraPipeline pipeline = new CameraPipeline(entry.config, entry.slot, io.next(), session, config.decoderCpus());
        session.rates.sample(System.nanoTime(), 0, 0, 0);
        entry.run = new Run(pipeline, session);
        if (rtspServer != null) {
            entry.rtspMount = new CameraMount(rtspServer, entry.config.name());
            entry.rtspSink = entry.rtspMount::onAccessUnit;
            pipeline.units().connect(entry.rtspSink);
        }
        if (rtpOut != null) {
            pipeline.units().connect(rtpOut);
        }
        if (webView != null) {
            entry.webMount = webView.mountCamera(entry.config.name());
            pipeline.units().connect(entry.webMount);
        }
        pipeline.start();
        LOG.info(() -> "started " + entry.config);
        return pipeline;
    }

    /** Closes a camera's pipeline, if it has one, and remembers what status reports after. */
    private void halt(Camera entry) {
        Run run = entry.run;
        if (run == null) {
            return;
        }
        entry.run = null;
        if (entry.rtspMount != null) {
            run.pipeline.units().disconnect(entry.rtspSink);
            entry.rtspMount.close();
            entry.rtspMount = null;
        }
        if (entry.rtpOut != null) {
            run.pipeline.units().disconnect(entry.rtpOut);
        }
        if (entry.webMount != null) {
            run.pipeline.units().disconnect(entry.webMount);
            webView.unmountCamera(entry.config.name(), entry.webMount);
            entry.webMount = null;
        }
        entry.lastError = run.pipeline.source().lastError();
        entry.lastCodec = run.pipeline.receiver().codec();
        run.pipeline.close();
        LOG.info(() -> "stopped " + entry.config);
    }

    /**
     * The camera's RTP sender, opened at its first start and kept across stops and starts so that
     * receivers see one continuous stream; null without {@code rtpOut:}.
     */
    private static RtpSender openRtpOut(Camera entry) {
        if (entry.config.rtpOut() == null) {
            return null;
        }
        if (entry.rtpOut == null) {
            try {
                entry.rtpOut = RtpSender.open(entry.config.name(), entry.config.rtpOut());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("camera " + entry.config.name() + ": rtpOut to "
                        + entry.config.rtpOut().destination() + ": cannot open a socket: " + e.getMessage(), e);
            }
        } else {
            entry.rtpOut.cameraRestarted();
        }
        return entry.rtpOut;
    }

    private static void closeRtpOut(Camera entry) {
        if (entry.rtpOut != null) {
            entry.rtpOut.close();
            entry.rtpOut = null;
        }
    }

    private void sampleRates() {
        long now = System.nanoTime();
        for (Camera entry : entries()) {
            Run run = entry.run;
            if (run != null) {
                VideoTrackReceiver receiver = run.pipeline.receiver();
                run.session.rates.sample(now, receiver.units(), receiver.bytes(), framesDecoded(run.pipeline));
            }
        }
    }

    private static long framesDecoded(CameraPipeline pipeline) {
        DecodeWorker decoder = pipeline.decoder();
        return decoder == null ? 0 : decoder.framesDecoded();
    }

    private static CameraStatus snapshot(Camera entry) {
        Run run = entry.run;
        if (run == null) {
            return new CameraStatus(entry.config.name(), CameraStatus.State.STOPPED, entry.lastError, entry.config, null,
                    entry.lastCodec, CameraStatus.Stats.NONE, CameraStatus.Restream.NONE, rtpOutStats(entry));
        }
        CameraPipeline pipeline = run.pipeline;
        CameraSource source = pipeline.source();
        Session session = run.session;
        VideoTrackReceiver receiver = pipeline.receiver();
        DecodeWorker decoder = pipeline.decoder();
        CameraStatus.State state = source.isOnline() ? CameraStatus.State.ONLINE
                : session.onlineEvents.get() == 0 && session.offlineEvents.get() == 0 ? CameraStatus.State.STARTING
                : CameraStatus.State.OFFLINE;
        long now = System.nanoTime();
        long units = pipeline.unitsIn().frames();
        long bytes = pipeline.unitsIn().bytes();
        long frames = framesDecoded(pipeline);
        RateWindow.Rates rates = run.session.rates.rates(now, units, bytes, frames);
        boolean online = state == CameraStatus.State.ONLINE;
        long since = run.session.onlineSinceNanos;
        CameraStatus.Stats stats = new CameraStatus.Stats(rates.unitsPerSecond(), rates.framesPerSecond(),
                rates.bitsPerSecond(), units, bytes, receiver.packetsReceived(), receiver.packetsLost(),
                receiver.unitsDropped(), frames, decoder == null ? 0 : decoder.meanDecodeMicros(),
                decoder == null ? 0 : decoder.overruns(), decoder == null ? 0 : decoder.unitsSkipped(),
                pipeline.yuvPublished(), pipeline.rgbPublished(), source.reconnects(), session.onlineEvents.get(),
                session.offlineEvents.get(), online ? Math.max(0, now - since) / 1e9 : 0,
                decoder == null ? 0 : decoder.pictureWidth(), decoder == null ? 0 : decoder.pictureHeight(),
                receiver.packetsRejected(), receiver.unitsDamaged());
        RtspTransport active = online ? (run.session.overTcp ? RtspTransport.TCP : RtspTransport.UDP) : null;
        return new CameraStatus(entry.config.name(), state, source.lastError(), entry.config, active,
                receiver.codec(), stats, restream(entry.rtspMount), rtpOutStats(entry));
    }

    private static CameraStatus.Restream restream(CameraMount served) {
        MediaMount mount = served == null ? null : served.mount();
        return mount == null ? CameraStatus.Restream.NONE
                : new CameraStatus.Restream(mount.clients(), mount.framesSent(), mount.framesDropped());
    }

    private static RtpSender.Stats rtpOutStats(Camera entry) {
        RtpSender sender = entry.rtpOut;
        return sender == null ? null : sender.stats();
    }

    /** One camera the producer knows; {@link #run} is null while it is stopped. */
    private static final class Camera {
        final CameraConfig config;
        final int slot;
        volatile Run run;
        volatile String lastError;
        volatile VideoCodec lastCodec;
        /** Re-serves the camera while it runs, when the RTSP server is on. */
        volatile CameraMount rtspMount;
        FrameSink<AccessUnit> rtspSink;
        /** Sends the camera as RTP, when {@code rtpOut:} is set; lives until the camera is removed. */
        volatile RtpSender rtpOut;
        /** Feeds the browser live view while it runs, when the web view is on. */
        FrameSink<AccessUnit> webMount;

        Camera(CameraConfig config, int slot) {
            this.config = config;
            this.slot = slot;
        }
    }

    /** A running camera: its pipeline and what the producer tracks about it. */
    private record Run(CameraPipeline pipeline, Session session) {
    }

    /** Watches one pipeline's online/offline events for status reporting, and passes them on. */
    private static final class Session implements StreamEvents {
        final RateWindow rates = new RateWindow();
        final StreamEvents next;
        volatile long onlineSinceNanos;
        volatile boolean overTcp;
        final java.util.concurrent.atomic.AtomicLong onlineEvents = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong offlineEvents = new java.util.concurrent.atomic.AtomicLong();

        Session(StreamEvents next) {
            this.next = next;
        }

        @Override
        public void onOnline(String camera, boolean overTcp) {
            this.onlineSinceNanos = System.nanoTime();
            this.overTcp = overTcp;
            onlineEvents.incrementAndGet();
            next.onOnline(camera, overTcp);
        }

        @Override
        public void onOffline(String camera, String reason) {
            offlineEvents.incrementAndGet();
            next.onOffline(camera, reason);
        }
    }
}
