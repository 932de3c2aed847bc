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
import io.virta.rtsp.server.RtspServer;
import io.virta.producer.ingest.CameraPipeline;
import io.virta.producer.ingest.DecodeWorker;
import io.virta.producer.source.CameraSource;
import io.virta.producer.source.StreamEvents;
import io.virta.producer.ingest.VideoTrackReceiver;
import io.virta.producer.output.CameraOutputs;
import io.virta.producer.output.OutputFactory;
import io.virta.producer.output.OutputReport;
import io.virta.producer.output.StandardOutputs;
import io.virta.producer.recording.RecordingStores;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.client.RtspTransport;
import io.virta.producer.supervise.WorkerStatus;
import io.virta.producer.supervise.JvmLaunch;
import io.virta.producer.supervise.WorkerSupervisor;
import io.virta.producer.web.RecordingSource;
import io.virta.producer.web.WebView;
import io.virta.recorder.store.StoreView;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs every camera of a {@link ProducerConfig}: all RTSP sessions share
 * {@link ProducerConfig#ioThreads()} event-loop threads (one camera stays on one of them), and each
 * decoding camera has a decoder thread of its own.
 *
 * <p>Cameras can be added, removed, stopped and started while it runs. A stopped camera keeps its
 * configuration (and its stream number) but has no pipeline and no channels.
 *
 * <p>What each camera feeds (its RTSP mount, RTP sender, browser view, bus channels and recorder)
 * comes from one list of {@link OutputFactory}s: the standard ones ({@link StandardOutputs}), the
 * recorder of cameras with {@code record:} ({@link RecordingStores}, whose stores the producer opens
 * first and closes last), then those the caller adds:
 * <pre>{@code
 * try (Producer producer = new Producer(config, events, List.of(keyframeCounter)).start()) { ... }
 * }</pre>
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
    /** The stores of {@code recording:}; none when it is absent. */
    private final RecordingStores recording;
    /** What makes each camera's outputs, in the order units reach them. */
    private final List<OutputFactory> outputFactories;
    private int nextSlot = 1;
    private boolean closed;

    public Producer(ProducerConfig config, StreamEvents events) {
        this(config, events, List.of());
    }

    /**
     * @param moreOutputs factories of outputs beyond the standard ones (a recorder); each camera's
     *                    outputs open in the standard order, then in this list's
     * @throws IllegalStateException when a recording store cannot be opened or a listening address
     *                               cannot be used, naming its setting; nothing is left open then
     */
    public Producer(ProducerConfig config, StreamEvents events, List<OutputFactory> moreOutputs) {
        this(config, events, moreOutputs, RecordingStores.open(config.recording()));
    }

    /** @param recording the stores of {@code config.recording()}, opened first (recovery done); closed last */
    private Producer(ProducerConfig config, StreamEvents events, List<OutputFactory> moreOutputs,
            RecordingStores recording) {
        FfmpegLog.quiet();
        this.config = config;
        this.events = events;
        this.recording = recording;
        DefaultThreadFactory named = new DefaultThreadFactory("virta-io", true);
        java.util.concurrent.ThreadFactory pinned = task -> named.newThread(() -> {
            CpuAffinity.pinCurrentThread(config.ioCpus());
            task.run();
        });
        this.io = new NioEventLoopGroup(config.ioThreads(), config.ioCpus() == null ? named : pinned);
        this.rateSampler = io.scheduleAtFixedRate(this::sampleRates, 1, 1, TimeUnit.SECONDS);
        try {
            this.rtspServer = config.rtspServer().enabled() ? startRtspServer(config.rtspServer()) : null;
            this.webView = config.webView().enabled() ? startWebView() : null;
            if (webView != null) {
                webView.recordings(this::recordingOf);
            }
        } catch (RuntimeException e) {
            recording.close();
            throw e;
        }
        this.outputFactories = outputFactories(moreOutputs);
    }

    /** The one place that lists what a camera feeds. */
    private List<OutputFactory> outputFactories(List<OutputFactory> moreOutputs) {
        List<OutputFactory> factories = new ArrayList<>();
        if (rtspServer != null) {
            factories.add(StandardOutputs.rtspMount(rtspServer));
        }
        factories.add(StandardOutputs.rtpOut());
        if (webView != null) {
            factories.add(StandardOutputs.webMount(webView));
        }
        factories.add(StandardOutputs.encodedChannel());
        factories.add(StandardOutputs.fmp4Channel());
        factories.add(StandardOutputs.yuvChannel());
        factories.add(StandardOutputs.rgbChannel());
        // After the encoded channel: the recorder reads it, so it opens after it and closes before it.
        factories.add(recording.outputs());
        factories.addAll(moreOutputs);
        return List.copyOf(factories);
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

    /**
     * Where the web view reads {@code name}'s recorded video: the store the camera records into, or, for
     * a camera not recorded now (removed, or record.enabled off), a store that holds video of it.
     */
    private RecordingSource.Lookup recordingOf(String name) {
        Camera entry = cameras.get(name);
        Path store = entry != null && entry.config.record().enabled() ? entry.config.record().store()
                : recording.storeHolding(name).orElse(null);
        if (store == null) {
            return entry == null
                    ? new RecordingSource.Unavailable(RecordingSource.Unavailable.Why.NO_SUCH_CAMERA, "no camera named '"
                            + name + "' and no recording of it; GET /api/cameras lists the cameras")
                    : new RecordingSource.Unavailable(RecordingSource.Unavailable.Why.RECORDING_OFF, "camera '" + name
                            + "' is not recorded; set record: { enabled: true } for it in the producer's YAML");
        }
        Optional<StoreView> view = recording.present(store) ? recording.view(store) : Optional.empty();
        if (view.isEmpty()) {
            return new RecordingSource.Unavailable(RecordingSource.Unavailable.Why.STORE_GONE, "the recording store "
                    + store + " of camera '" + name + "' is gone (its directory was deleted or its disk unmounted);"
                    + " mount it again and restart the producer");
        }
        return new RecordingSource.Recorded(name, store, view.get(), recording.config().policy().maxGap().toNanos() / 1000);
    }

    /** The configuration it was made with (cameras added or removed since are not in it). */
    public ProducerConfig config() {
        return config;
    }

    /** The browser live view; null when {@code webView:} is off. */
    public WebView webView() {
        return webView;
    }

    /** The recording stores ({@code recording:}); none open when it is absent. */
    public RecordingStores recording() {
        return recording;
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
            int slot = nextSlot++;
            CameraOutputs outputs = CameraOutputs.open(outputFactories, camera, slot);
            Camera entry = new Camera(camera, slot, outputs);
            CameraPipeline pipeline;
            try {
                pipeline = launch(entry);
            } catch (RuntimeException e) {
                outputs.close();
                throw e;
            }
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
            entry.outputs.close();
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
            if (entry.life instanceof Stopped) {
                launch(entry);
            }
            return true;
        }
    }

    /** The running cameras' pipelines. */
    public List<CameraPipeline> cameras() {
        List<CameraPipeline> running = new ArrayList<>();
        for (Camera entry : entries()) {
            if (entry.life instanceof Running run) {
                running.add(run.pipeline());
            }
        }
        return running;
    }

    /** The pipeline of a running camera; null if there is none of that name or it is stopped. */
    public CameraPipeline camera(String name) {
        Camera entry = cameras.get(name);
        return entry != null && entry.life instanceof Running run ? run.pipeline() : null;
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
        return entry.life instanceof Running run ? run.pipeline().publishedChannels() : List.of();
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
                entry.outputs.close();
            }
            cameras.clear();
            if (rtspServer != null) {
                rtspServer.close();
            }
            if (webView != null) {
                webView.close();
            }
            // Every camera's recorder has sealed its segment above: the stores' indexes and locks go last.
            recording.close();
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

    /** Builds and starts a pipeline for a camera that has none; the pipeline opens the run's outputs. */
    private CameraPipeline launch(Camera entry) {
        Session session = new Session(events);
        CameraPipeline pipeline = new CameraPipeline(entry.config, entry.slot, io.next(), session, config.decoderCpus(),
                entry.outputs);
        session.rates.sample(System.nanoTime(), 0, 0, 0);
        entry.life = new Running(pipeline, session);
        pipeline.start();
        LOG.info(() -> "started " + entry.config);
        return pipeline;
    }

    /** Closes a camera's pipeline, if it has one, and remembers what status reports after. */
    private void halt(Camera entry) {
        if (!(entry.life instanceof Running run)) {
            return;
        }
        entry.life = new Stopped(run.pipeline().source().lastError(), run.pipeline().receiver().codec());
        run.pipeline().close();
        LOG.info(() -> "stopped " + entry.config);
    }

    private void sampleRates() {
        long now = System.nanoTime();
        for (Camera entry : entries()) {
            if (entry.life instanceof Running run) {
                VideoTrackReceiver receiver = run.pipeline().receiver();
                run.session().rates.sample(now, receiver.units(), receiver.bytes(), framesDecoded(run.pipeline()));
            }
        }
    }

    private static long framesDecoded(CameraPipeline pipeline) {
        DecodeWorker decoder = pipeline.decoder();
        return decoder == null ? 0 : decoder.framesDecoded();
    }

    private CameraStatus snapshot(Camera entry) {
        return switch (entry.life) {
            case Stopped stopped -> snapshot(entry, stopped);
            case Running run -> snapshot(entry, run);
        };
    }

    private CameraStatus snapshot(Camera entry, Stopped stopped) {
        OutputReport outputs = new OutputReport();
        entry.outputs.report(outputs);
        return new CameraStatus(entry.config.name(), CameraStatus.State.STOPPED, stopped.lastError(), entry.config,
                null, stopped.lastCodec(), CameraStatus.Stats.NONE, outputs.restream(), outputs.rtpOut(),
                recording.idle(entry.config, CameraStatus.RecordingState.STOPPED));
    }

    private CameraStatus snapshot(Camera entry, Running run) {
        OutputReport outputs = new OutputReport();
        CameraPipeline pipeline = run.pipeline();
        pipeline.report(outputs);
        CameraSource source = pipeline.source();
        Session session = run.session();
        VideoTrackReceiver receiver = pipeline.receiver();
        DecodeWorker decoder = pipeline.decoder();
        CameraStatus.State state = source.isOnline() ? CameraStatus.State.ONLINE
                : session.onlineEvents.get() == 0 && session.offlineEvents.get() == 0 ? CameraStatus.State.STARTING
                : CameraStatus.State.OFFLINE;
        long now = System.nanoTime();
        long units = pipeline.unitsIn().frames();
        long bytes = pipeline.unitsIn().bytes();
        long frames = framesDecoded(pipeline);
        RateWindow.Rates rates = session.rates.rates(now, units, bytes, frames);
        boolean online = state == CameraStatus.State.ONLINE;
        long since = session.onlineSinceNanos;
        CameraStatus.Stats stats = new CameraStatus.Stats(rates.unitsPerSecond(), rates.framesPerSecond(),
                rates.bitsPerSecond(), units, bytes, receiver.packetsReceived(), receiver.packetsLost(),
                receiver.unitsDropped(), frames, decoder == null ? 0 : decoder.meanDecodeMicros(),
                decoder == null ? 0 : decoder.overruns(), decoder == null ? 0 : decoder.unitsSkipped(),
                outputs.yuvPublished(), outputs.rgbPublished(), source.reconnects(), session.onlineEvents.get(),
                session.offlineEvents.get(), online ? Math.max(0, now - since) / 1e9 : 0,
                decoder == null ? 0 : decoder.pictureWidth(), decoder == null ? 0 : decoder.pictureHeight(),
                receiver.packetsRejected(), receiver.unitsDamaged());
        RtspTransport active = online ? (session.overTcp ? RtspTransport.TCP : RtspTransport.UDP) : null;
        // Before a session tells the codec, a recorded camera has no recorder yet.
        CameraStatus.Recording recorded = outputs.recording().enabled() ? outputs.recording()
                : recording.idle(entry.config, CameraStatus.RecordingState.STARTING);
        return new CameraStatus(entry.config.name(), state, source.lastError(), entry.config, active,
                receiver.codec(), stats, outputs.restream(), outputs.rtpOut(), recorded);
    }

    /**
     * One camera the producer knows, from its addition to its removal. Its outputs that outlive a
     * run (the RTP sender) stay in {@link #outputs} while it is stopped.
     */
    private static final class Camera {
        final CameraConfig config;
        final int slot;
        final CameraOutputs outputs;
        /** Swapped whole by the lifecycle lock; read without it by status reporting. */
        volatile Life life = new Stopped(null, null);

        Camera(CameraConfig config, int slot, CameraOutputs outputs) {
            this.config = config;
            this.slot = slot;
            this.outputs = outputs;
        }
    }

    /** Whether a camera runs. */
    private sealed interface Life permits Running, Stopped {
    }

    /** A running camera: its pipeline and what the producer tracks about it. */
    private record Running(CameraPipeline pipeline, Session session) implements Life {
    }

    /**
     * Stopped on request (or not started yet): what status reports of its last run.
     *
     * @param lastError why its last session went offline; null if none did
     * @param lastCodec the codec of its last session; null before the first
     */
    private record Stopped(String lastError, VideoCodec lastCodec) implements Life {
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
