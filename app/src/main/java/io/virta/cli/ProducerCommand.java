package io.virta.cli;

import io.grpc.BindableService;
import io.virta.bus.BusShutdown;
import io.virta.hub.EventHub;
import io.virta.hub.EventHubService;
import io.virta.hub.journal.JournalException;
import io.virta.producer.config.ConfigException;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.control.ControlServer;
import io.virta.producer.control.ProducerEventHub;
import io.virta.producer.recording.EventRetention;
import io.virta.producer.recording.RecordingService;
import io.virta.rtsp.fanout.ClientListener;
import io.virta.producer.status.CameraStatus;
import io.virta.producer.daemon.Producer;
import io.virta.producer.supervise.WorkerStatus;
import io.virta.producer.supervise.WorkerSupervisor;
import io.virta.producer.ingest.CameraPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code virta producer --config FILE}: the daemon. SIGTERM or Ctrl-C shuts it down cleanly. */
@Command(name = "producer", description = "Run the producer daemon on the cameras of a configuration file.",
        customSynopsis = "virta producer --config FILE [OPTIONS]")
final class ProducerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--config", paramLabel = "FILE",
            description = "cameras and channels (YAML; see docs/producer.md); required")
    Optional<Path> configFile = Optional.empty();
    @Option(names = "--check", description = "validate the configuration and exit")
    boolean check;
    @Mixin
    RunLength run = new RunLength();

    @Override
    public Integer call() throws InterruptedException {
        Path file = configFile.orElseThrow(() -> UsageErrors.error(spec, "--config FILE is required (the cameras"
                + " and channels to run; docs/producer.md)"));
        ProducerConfig config;
        try {
            config = ProducerConfig.load(file);
        } catch (ConfigException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        if (check) {
            System.out.println("configuration ok: " + config.cameras().size() + " camera(s)");
            return 0;
        }
        Producer producer;
        try {
            producer = new Producer(config, new PrintingEvents());
        } catch (IllegalStateException e) {
            // The RTSP server or the web view cannot listen: the message names the setting and what to do.
            System.err.println("error: " + e.getMessage());
            return 1;
        }
        // The event hub and the control API first: if the journal or the port is unusable, fail before any
        // camera is touched.
        EventHub hub = null;
        if (config.events().enabled()) {
            try {
                hub = ProducerEventHub.open(config.events(), producer);
            } catch (JournalException e) {
                producer.close();
                System.err.println("error: events.journal: " + e.getMessage());
                return 1;
            }
        }
        ControlServer control;
        try {
            // The recording API always: without recording: its calls say how to turn recording on.
            RecordingService recordings = new RecordingService(producer.recording(),
                    camera -> java.util.Optional.ofNullable(producer.status(camera))
                            .map(status -> status.recording().store()));
            BindableService[] alongside = hub == null ? new BindableService[] {recordings}
                    : new BindableService[] {new EventHubService(hub), recordings};
            control = ControlServer.start(config.control(), producer, alongside);
        } catch (IOException e) {
            if (hub != null) {
                hub.close();
            }
            producer.close();
            System.err.println("error: " + e.getMessage());
            return 1;
        }
        if (producer.webView() != null) {
            producer.webView().events(hub);
        }
        // Event-extended retention: events of recorded cameras mark video to keep longer.
        EventRetention marks = hub != null && config.recording().enabled()
                ? EventRetention.start(hub, producer.recording()::marksFor) : null;
        // The configured cameras exist before the address is announced: a client that learns it from the
        // line below finds every camera of the file (their streams start in the background).
        producer.start();
        System.out.println("producer: control API (gRPC virta.control.v1.ProducerControl) on " + control.target());
        System.out.println("producer: control API access: " + accessNote(config)
                + control.endpoint().unixSocket().map(p -> ", also on unix:" + p).orElse(""));
        if (config.recording().enabled()) {
            System.out.println("producer: recordings (gRPC virta.recording.v1.Recording) on " + control.target()
                    + ", stores " + config.recording().stores());
        }
        if (hub != null) {
            System.out.println("producer: event hub (gRPC virta.events.v1.EventHub) on " + control.target()
                    + ", journal " + config.events().journal().toAbsolutePath().normalize());
        }
        if (producer.webView() != null) {
            System.out.println("producer: web live view on " + producer.webView().url()
                    + (config.webView().token() == null ? "" : "?token=<webView.token>"));
        }
        if (producer.rtspServer() != null) {
            System.out.println("producer: RTSP server re-serving the cameras at " + producer.rtspServer().url("<camera>"));
        }
        if (!config.workers().isEmpty()) {
            producer.startWorkers(control.localTarget(), control.clientEnvironment(), VirtaLaunch.javaWorkers(),
                    WorkerSupervisor.OutputSink.STDOUT);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        EventHub events = hub;
        // Through the bus's own hook, not a second one: the cameras stop (decoders and I/O loops done)
        // before the bus closes whatever channels are left, instead of racing it.
        BusShutdown.Registration hook = BusShutdown.first(() -> {
            System.out.println("producer: shutting down (TEARDOWN to every camera, channels closed)");
            stop(control, events, marks, producer);
            stopped.countDown();
        });
        long stopAt = run.seconds > 0 ? System.nanoTime() + (long) (run.seconds * 1e9) : Long.MAX_VALUE;
        while (System.nanoTime() - stopAt < 0) {
            long wait = run.statusEvery > 0 ? (long) (run.statusEvery * 1000) : 60_000;
            wait = Math.min(wait, Math.max(1, (stopAt - System.nanoTime()) / 1_000_000));
            if (stopped.await(wait, TimeUnit.MILLISECONDS)) {
                return 0;
            }
            if (run.statusEvery > 0) {
                printStatus(producer);
            }
        }
        hook.cancel();
        stop(control, events, marks, producer);
        return 0;
    }


    /** What protects the control API, for the start-up line (never the token itself). */
    private static String accessNote(ProducerConfig config) {
        var access = config.control().access();
        return (access.token().isPresent() ? "token required" : "no token (docs/security.md)")
                + (access.tls().isPresent() ? ", TLS" : ", plaintext");
    }

    /** The hub first: it ends its subscriptions, so the server need not wait for them. */
    private static void stop(ControlServer control, EventHub hub, EventRetention marks, Producer producer) {
        // Workers before the hub, so their last events still reach it while they stop.
        producer.stopWorkers();
        if (marks != null) {
            marks.close(); // the episodes still open become marks before the stores close
        }
        if (hub != null) {
            hub.close();
        }
        control.close();
        producer.close();
    }

    /** What the RTSP server sends of the camera, for the status line; empty while the server is off. */
    private static String restreamSummary(Producer producer, String camera) {
        CameraStatus status = producer.status(camera);
        if (producer.rtspServer() == null || status == null) {
            return "";
        }
        CameraStatus.Restream r = status.restream();
        return String.format(Locale.ROOT, "  rtsp %d clients, %d frames sent, %d dropped", r.clients(), r.framesSent(),
                r.framesDropped());
    }

    /** What the RTP sender sent of the camera, for the status line; empty without {@code rtpOut:}. */
    private static String rtpOutSummary(Producer producer, String camera) {
        CameraStatus status = producer.status(camera);
        if (status == null || status.rtpOut() == null) {
            return "";
        }
        var r = status.rtpOut();
        return String.format(Locale.ROOT, "  rtp to %s: %d units, %d packets sent, %d dropped%s", r.destination(),
                r.unitsSent(), r.packetsSent(), r.packetsDropped(), r.sdpWritten() ? "" : " (no keyframe yet, no SDP file)");
    }

    /**
     * The camera's recording, for the status line (docs/recording.md, "Status"); empty when it is not
     * recorded.
     */
    static String recordingSummary(CameraStatus status) {
        CameraStatus.Recording r = status == null ? CameraStatus.Recording.OFF : status.recording();
        if (!r.enabled()) {
            return "";
        }
        CameraStatus.StoreUsage usage = r.usage();
        String sync = r.lastSyncMicros() == 0 ? "never"
                : String.format(Locale.ROOT, "%.1f s ago", Math.max(0, System.currentTimeMillis() * 1000 - r.lastSyncMicros()) / 1e6);
        String store = usage.sampledAtMicros() == 0 ? "usage not sampled yet"
                : String.format(Locale.ROOT, "%.1f GB used (camera %.1f GB), %.1f GB free", usage.storeBytes() / 1e9,
                        usage.cameraBytes() / 1e9, usage.freeBytes() / 1e9);
        return String.format(Locale.ROOT, "  record %s: %d frames %.1f MB, lag %d, %d lost, %d skipped, synced %s,"
                        + " %d pauses, store %s (%s)%s", r.state().name().toLowerCase(Locale.ROOT), r.framesWritten(),
                r.bytesWritten() / 1e6, r.lag(), r.framesLost(), r.framesSkipped(), sync, r.pauses(), r.store(), store,
                r.problem().isEmpty() ? "" : "; problem: " + r.problem());
    }

    /** A server's status line: its connections, and those it refused or closed (see docs/producer.md). */
    static String connectionsSummary(String server, ClientListener connections) {
        return String.format(Locale.ROOT, "%s: %d connections (max %d), %d refused at the cap, %d closed for silence",
                server, connections.open(), connections.limits().maxConnections(), connections.refused(),
                connections.closedIdle());
    }

    /** starting (no RTP yet), online or offline, as the control API reports it. */
    private static String state(Producer producer, String camera) {
        CameraStatus status = producer.status(camera);
        return status == null ? "stopped" : status.state().name().toLowerCase(Locale.ROOT);
    }

    static void printStatus(Producer producer) {
        for (CameraPipeline camera : producer.cameras()) {
            var source = camera.source();
            var receiver = camera.receiver();
            var decoder = camera.decoder();
            System.out.println(String.format(Locale.ROOT,
                    "%s: %s  %.1f fps  %d units  %.1f MB  %d packets lost  %d rejected  %d units dropped  %d damaged"
                            + "  %d reconnects"
                            + "  decoded %d (%.2f ms/unit)  channels %s",
                    camera.name(), state(producer, camera.name()), camera.unitsIn().fps(), camera.unitsIn().frames(),
                    camera.unitsIn().bytes() / 1e6, receiver.packetsLost(), receiver.packetsRejected(), receiver.unitsDropped(),
                    receiver.unitsDamaged(), source.reconnects(),
                    decoder == null ? 0 : decoder.unitsDecoded(), decoder == null ? 0 : decoder.meanDecodeMicros() / 1000,
                    camera.channels()) + restreamSummary(producer, camera.name()) + rtpOutSummary(producer, camera.name())
                    + recordingSummary(producer.status(camera.name())));
        }
        if (producer.rtspServer() != null) {
            System.out.println(connectionsSummary("rtsp server", producer.rtspServer().connections()));
        }
        if (producer.webView() != null) {
            System.out.println(connectionsSummary("web view", producer.webView().connections()));
        }
        for (WorkerStatus worker : producer.workerStatuses()) {
            System.out.println(String.format(Locale.ROOT, "worker %s (camera %s): %s  pid %d  %d restarts%s",
                    worker.name(), worker.camera(), worker.state().name().toLowerCase(Locale.ROOT), worker.pid(),
                    worker.restarts(), worker.lastError().isEmpty() ? "" : "  last: " + worker.lastError()));
        }
    }
}
