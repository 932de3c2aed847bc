package io.virta.cli;

import io.virta.bus.BusShutdown;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelType;
import io.virta.bus.PullStatus;
import io.virta.hub.EventHub;
import io.virta.hub.EventHubService;
import io.virta.hub.validate.CameraDirectory;
import io.virta.producer.config.ConfigException;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.control.ControlServer;
import io.virta.producer.daemon.Producer;
import io.virta.demo.camera.DemoCamera;
import io.virta.demo.camera.DemoPattern;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.server.MediaMount;
import io.virta.rtsp.server.RtspServer;
import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventFilter;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.SubscribeRequest;
import io.virta.protos.events.v1.SubscribeResponse;
import io.virta.grpc.ClientSecurity;
import io.virta.grpc.GrpcChannels;
import io.virta.grpc.GrpcTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code virta demo}: the whole path on a built-in camera. A generated scene (colour bars, moving
 * objects, a burned-in clock and frame counter) is encoded to H264 and served over RTSP on
 * loopback; the producer ingests it like any camera, decodes it once and publishes
 * {@code demo.h264}, {@code demo.yuv} and {@code demo.rgb}; a Java reader (this JVM) and a Python
 * reader (its own process) print what they receive. The producer also runs the Java motion detector
 * on the camera as a supervised worker; it reports the moving square and circle to the producer's
 * event hub, and this JVM subscribes to the hub and prints the events.
 */
@Command(name = "demo",
        description = "Run the producer on a built-in demo camera and read its frames from Java and Python.")
final class Demo implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--camera", paramLabel = "NAME",
            description = "camera name, so channels are NAME.h264/.yuv/.rgb (default ${DEFAULT-VALUE})")
    String camera = "demo";
    @Option(names = "--size", paramLabel = "WxH", description = "the camera's picture size (default ${DEFAULT-VALUE})")
    String size = "1280x720";
    @Option(names = "--fps", paramLabel = "F", description = "the camera's frame rate (default ${DEFAULT-VALUE})")
    int fps = 25;
    @Option(names = "--rgb", paramLabel = "WxH", description = "size of the RGB channel (default ${DEFAULT-VALUE})")
    String rgb = "640x360";
    @Option(names = "--transport", paramLabel = "T", description = "auto, udp or tcp (default ${DEFAULT-VALUE})")
    String transport = "auto";
    @Option(names = "--seconds", paramLabel = "S", description = "stop after S seconds (default: run until Ctrl-C)")
    double seconds;
    @Option(names = "--no-python", description = "do not start the Python reader")
    boolean noPython;
    @Option(names = "--no-motion", description = "do not run the motion detector (and print no events)")
    boolean noMotion;
    @Option(names = "--viewer", description = {"also show the camera in an OpenGL window (virta viewer; needs an X"
            + " display), with the motion detector's boxes over it"})
    boolean showViewer;
    @Option(names = "--web", paramLabel = "HOST:PORT",
            description = "also serve the browser live view there (e.g. 127.0.0.1:8080; docs/web.md)")
    Optional<String> web = Optional.empty();
    @Option(names = "--token-file", paramLabel = "FILE", description = "require the token in FILE on the control API"
            + " and hub, as control.tokenFile does; the demo's workers, viewer and event printer send it"
            + " (docs/security.md)")
    Optional<String> tokenFile = Optional.empty();

    @Override
    public Integer call() {
        int[] picture;
        int[] rgbSize;
        try {
            picture = dimensions(size, "--size");
            rgbSize = dimensions(rgb, "--rgb");
        } catch (IllegalArgumentException e) {
            throw UsageErrors.error(spec, e.getMessage());
        }
        if (picture[0] < DemoPattern.MIN_WIDTH || picture[1] < 128) {
            throw UsageErrors.error(spec, "--size " + picture[0] + "x" + picture[1] + " is too small; the demo"
                    + " camera needs at least " + DemoPattern.MIN_WIDTH + "x128");
        }
        io.virta.producer.daemon.FfmpegLog.quiet();
        NioEventLoopGroup serverLoop = new NioEventLoopGroup(1, new DefaultThreadFactory("virta-demo-rtsp", true));
        Path journal = null;
        try (DemoCamera source = new DemoCamera(picture[0], picture[1], fps)) {
            MediaMount mount = new MediaMount(camera, VideoCodec.H264);
            source.addListener(mount::publish);
            RtspServer server = new RtspServer(serverLoop).mount(mount).bind("127.0.0.1", 0);
            source.start();
            String url = server.url(camera);
            boolean motion = !noMotion;
            // With --token-file the demo's control API and hub require the token, as a deployment's would, and
            // every client of the demo (event printer, workers, viewer) presents it.
            String tokenFile = this.tokenFile.orElse(null);
            ClientSecurity security = tokenFile == null ? ClientSecurity.NONE
                    : ClientSecurity.token(ClientSecurity.readTokenFile(Path.of(tokenFile), "--token-file"));
            ProducerConfig config = ProducerConfig.parse("""
                    cameras:
                      - name: %s
                        url: %s
                        transport: %s
                        rgb: { width: %d, height: %d }
                    control:
                      listen: 127.0.0.1:0
                    """.formatted(camera, url, transport, rgbSize[0], rgbSize[1])
                    + (tokenFile == null ? "" : "  tokenFile: '" + tokenFile.replace("'", "''") + "'\n")
                    + (motion ? motionWorker(camera, source.pattern()) : "")
                    + web.map(listen -> "webView: {listen: '" + listen + "'}\n").orElse(""),
                    "virta demo");
            System.out.println("demo: camera " + picture[0] + "x" + picture[1] + " at " + fps + " fps, H264, served at " + url);
            journal = Files.createTempDirectory("virta-demo-events");
            Producer producer = new Producer(config, new PrintingEvents());
            EventHub hub = EventHub.open(EventHub.Options.of(journal, CameraDirectory.of(List.of(camera))));
            ControlServer control = ControlServer.start(config.control(), producer, new EventHubService(hub));
            System.out.println("demo: control API (gRPC virta.control.v1.ProducerControl) and event hub"
                    + " (virta.events.v1.EventHub) on " + control.target());
            if (tokenFile != null) {
                System.out.println("demo: the control API and the hub require the token in " + tokenFile
                        + " (other clients: VIRTA_TOKEN_FILE=" + tokenFile + ")");
            }
            if (producer.webView() != null) {
                producer.webView().events(hub);
                System.out.println("demo: browser live view on " + producer.webView().url());
            }
            producer.start();
            ManagedChannel events = null;
            if (motion) {
                producer.startWorkers(control.localTarget(), control.clientEnvironment(), VirtaLaunch.javaWorkers(),
                        (worker, line) -> System.out.println(worker + ": " + line));
                events = GrpcChannels.open(GrpcTarget.parse(control.target(), "control")
                        .with(security));
                ManagedChannel subscribed = events;
                Thread.ofPlatform().daemon().name("demo-events").start(() -> printEvents(subscribed, camera));
            }
            Thread reader = Thread.ofPlatform().daemon().name("demo-java-reader").start(() -> javaReader(camera + ".rgb"));
            Process python = noPython ? null : startPythonReader(camera + ".rgb");
            Process viewer = showViewer ? startViewer(camera, control.target(), control.clientEnvironment())
                    : null;
            ManagedChannel eventChannel = events;
            Path journalDir = journal;
            Thread hook = new Thread(() -> {
                producer.stopWorkers();
                if (eventChannel != null) {
                    eventChannel.shutdownNow();
                }
                hub.close();
                control.close();
                producer.close();
                deleteTree(journalDir);
            }, "virta-demo-shutdown");
            // In the bus's hook, before it closes leftover channels: the producer stops publishing first.
            BusShutdown.Registration atExit = BusShutdown.first(hook::run);
            sleep(seconds > 0 ? (long) (seconds * 1000) : Long.MAX_VALUE);
            atExit.cancel();
            if (viewer != null) {
                viewer.destroy();
                viewer.waitFor(5, TimeUnit.SECONDS);
            }
            hook.run();
            server.close();
            reader.join(3000);
            if (python != null && !python.waitFor(5, TimeUnit.SECONDS)) {
                python.destroy();
            }
            System.out.println("demo: stopped");
            return 0;
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            serverLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (journal != null) {
                deleteTree(journal);
            }
        }
    }

    /** {@code virta viewer CAMERA} in its own process, its output through ours. */
    private static Process startViewer(String camera, String control, Map<String, String> clientEnvironment)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(VirtaLaunch.command("viewer", camera, "--control", control))
                .inheritIO();
        builder.environment().putAll(clientEnvironment);   // the token, never on the command line
        return builder.start();
    }

    /**
     * The {@code workers:} entry that runs the Java motion detector on the demo camera. The clock and the
     * frame-number strip change in every frame, so they are masked out, as a real camera's burned-in
     * clock would be.
     */
    private static String motionWorker(String camera, DemoPattern pattern) {
        StringBuilder ignore = new StringBuilder();
        for (DemoPattern.NormalizedBox box : List.of(pattern.clockBox(), pattern.stripBox())) {
            ignore.append(String.format(Locale.ROOT, ", --ignore, \"%.4f,%.4f,%.4f,%.4f\"", box.x(), box.y(),
                    box.width(), box.height()));
        }
        return """
                workers:
                  - name: motion
                    camera: %s
                    worker: motion
                    args: [--fps, 4%s]
                """.formatted(camera, ignore);
    }

    /** Subscribes to the hub and prints each motion event on one line. */
    private static void printEvents(ManagedChannel channel, String camera) {
        var request = SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder().addCameras(camera)).build();
        try {
            var events = EventHubGrpc.newBlockingStub(channel).subscribe(request);
            while (events.hasNext()) {
                SubscribeResponse response = events.next();
                if (response.hasMissed()) {
                    System.out.println("event hub:     missed " + response.getMissed().getCount() + " events");
                    continue;
                }
                Event event = response.getEvent();
                StringBuilder boxes = new StringBuilder();
                for (BoundingBox b : event.getBoxesList()) {
                    boxes.append(String.format(Locale.ROOT, "  [x %.2f y %.2f w %.2f h %.2f]", b.getX(), b.getY(),
                            b.getWidth(), b.getHeight()));
                }
                System.out.printf(Locale.ROOT, "event:         %s on %s from %s, captured %s,%s%n", event.getType(), event.getCamera(), event.getSource(),
                        LocalTime.ofInstant(Instant.ofEpochSecond(0, event.getCaptureTimeMicros() * 1000),
                                ZoneId.systemDefault()), boxes);
            }
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.CANCELLED && e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                System.out.println("event hub:     " + e.getStatus());
            }
        }
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Best effort: a temporary directory.
        }
    }

    static int[] dimensions(String text, String option) {
        String[] parts = text.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            int w = Integer.parseInt(parts[0].trim());
            int h = Integer.parseInt(parts[1].trim());
            if (parts.length == 2 && w > 0 && h > 0 && w % 2 == 0 && h % 2 == 0) {
                return new int[] {w, h};
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " '" + text + "': expected WIDTHxHEIGHT with even numbers, e.g. 1280x720");
    }

    private static void sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    private static void javaReader(String channel) {
        try (ChannelReader reader = ChannelReader.builder(channel).expect(ChannelType.RGB24)
                .awaitWriter(Duration.ofSeconds(30)).open()) {
            long windowStart = System.nanoTime();
            long frames = 0;
            while (true) {
                PullStatus status = reader.pull(Duration.ofSeconds(2));
                if (status == PullStatus.END_OF_STREAM || status == PullStatus.WRITER_DIED) {
                    System.out.println("java reader:   stream ended after " + reader.frames() + " frames, " + reader.lost()
                            + " lost");
                    return;
                }
                if (!status.hasFrame()) {
                    continue;
                }
                frames++;
                long now = System.nanoTime();
                if (now - windowStart >= 1_000_000_000L) {
                    var frame = reader.frame();
                    long cameraFrame = frame.width() >= DemoPattern.MIN_WIDTH && frame.height() >= 128
                            ? DemoPattern.decodeFrameNumberRgb24(frame.payload(), frame.width(), frame.height()) : -1;
                    double latencyMillis = (io.virta.bus.Clock.epochMicros() - frame.captureTimeMicros()) / 1000.0;
                    System.out.printf("java reader:   frame %5d  camera frame %6d  %4.1f fps  %dx%d  lost %d  capture->here %5.1f ms%n",
                            frame.sequence(), cameraFrame, frames * 1e9 / (now - windowStart), frame.width(), frame.height(),
                            reader.lost(), latencyMillis);
                    windowStart = now;
                    frames = 0;
                }
            }
        } catch (RuntimeException e) {
            System.out.println("java reader:   " + e.getMessage());
        }
    }

    private static Process startPythonReader(String channel) {
        Path home = Path.of(System.getProperty("virta.home", "."));
        Path script = home.resolve("python-client/examples/demo_reader.py");
        if (!Files.exists(script) || !Files.exists(Path.of("/usr/bin/python3"))) {
            System.out.println("demo: no Python reader (" + script + " or /usr/bin/python3 missing)");
            return null;
        }
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), channel).inheritIO();
        pb.environment().put("PYTHONPATH", home.resolve("python-client/src").toString());
        try {
            return pb.start();
        } catch (IOException e) {
            System.out.println("demo: cannot start the Python reader: " + e.getMessage());
            return null;
        }
    }
}
