package io.virta.producer.supervise;

import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.virta.cli.VirtaLaunch;
import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelType;
import io.virta.bus.Frame;
import io.virta.bus.PullStatus;
import io.virta.hub.EventHub;
import io.virta.hub.EventHubService;
import io.virta.hub.validate.CameraDirectory;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.control.ControlServer;
import io.virta.producer.daemon.Producer;
import io.virta.demo.camera.DemoCamera;
import io.virta.demo.camera.DemoPattern;
import io.virta.demo.camera.DemoPattern.NormalizedBox;
import io.virta.producer.source.StreamEvents;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.server.MediaMount;
import io.virta.rtsp.server.RtspServer;
import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventFilter;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.SubscribeRequest;
import io.virta.protos.events.v1.SubscribeResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The motion detectors end to end, in Java and in Python: the demo camera's moving square and
 * circle, served over RTSP, ingested and decoded by the producer, analyzed by both workers (launched
 * and supervised by the producer), reported to the producer's event hub and received by a
 * subscriber. Each event's boxes are checked against where the pattern drew the objects in the
 * very frame the event names, found through the frame number the camera burned into the picture.
 */
@Timeout(180)
class MotionWorkersTest {
    private static final Path PYTHON_CLIENT = Path.of("..", "python-client", "src").toAbsolutePath().normalize();
    private static final int EVENTS_PER_WORKER = 8;
    /** How far back (in camera frames) an event may still see an object: frame differencing marks where it was too. */
    private static final int MOTION_MEMORY_FRAMES = 25;

    @TempDir
    Path journalDir;

    @Test
    void bothWorkersReportBoxesWhereTheObjectsMove() throws Exception {
        String camera = "motion" + ProcessHandle.current().pid();
        NioEventLoopGroup serverLoop = new NioEventLoopGroup(1);
        Map<Long, Long> frameNumberAt = new ConcurrentHashMap<>();
        Path journal = journalDir;
        try (DemoCamera source = new DemoCamera(384, 288, 25)) {
            DemoPattern pattern = source.pattern();
            MediaMount mount = new MediaMount(camera, VideoCodec.H264);
            source.addListener(mount::publish);
            RtspServer server = new RtspServer(serverLoop).mount(mount).bind("127.0.0.1", 0);
            source.start();
            String ignore = ignoreArgs(pattern);
            ProducerConfig config = ProducerConfig.parse("""
                    control: { listen: "127.0.0.1:0" }
                    cameras:
                      - name: %1$s
                        url: %2$s
                        transport: tcp
                        rgb: { width: 384, height: 288, cells: 32 }
                    workers:
                      - name: motion-java
                        camera: %1$s
                        worker: motion
                        args: [--fps, 5, %3$s]
                      - name: motion-py
                        camera: %1$s
                        command: [/usr/bin/python3, -m, virta.workers.motion, --camera, "{camera}", --control, "{control}",
                                  --name, "{name}", --fps, 5, %3$s]
                        env: { PYTHONPATH: %4$s }
                    """.formatted(camera, server.url(camera), ignore, PYTHON_CLIENT), "test");
            List<String> workerOutput = java.util.Collections.synchronizedList(new ArrayList<>());
            try (Producer producer = new Producer(config, StreamEvents.NONE);
                 EventHub hub = EventHub.open(EventHub.Options.of(journal, CameraDirectory.of(List.of(camera))));
                 ControlServer control = ControlServer.start(config.controlListen(), producer, new EventHubService(hub))) {
                producer.start();
                Thread frameIndex = Thread.ofPlatform().daemon().name("frame-index")
                        .start(() -> indexFrameNumbers(camera + ".rgb", frameNumberAt));
                producer.startWorkers(control.target(), VirtaLaunch.javaWorkers(),
                        (worker, line) -> workerOutput.add(worker + ": " + line));
                ManagedChannel channel = Grpc.newChannelBuilder(control.target(), InsecureChannelCredentials.create()).build();
                Map<String, List<Event>> bySource = new ConcurrentHashMap<>();
                try (Context.CancellableContext subscription = Context.current().withCancellation()) {
                    subscription.run(() -> {
                        Iterator<SubscribeResponse> events = EventHubGrpc.newBlockingStub(channel)
                                .withDeadlineAfter(150, TimeUnit.SECONDS)
                                .subscribe(SubscribeRequest.newBuilder()
                                        .setFilter(EventFilter.newBuilder().addCameras(camera).addTypes("motion")).build());
                        while (bySource.getOrDefault("motion-java", List.of()).size() < EVENTS_PER_WORKER
                                || bySource.getOrDefault("motion-py", List.of()).size() < EVENTS_PER_WORKER) {
                            SubscribeResponse response = events.next();
                            if (response.hasEvent() && frameNumberAt.containsKey(response.getEvent().getCaptureTimeMicros())) {
                                bySource.computeIfAbsent(response.getEvent().getSource(), k -> new ArrayList<>())
                                        .add(response.getEvent());
                            }
                        }
                    });
                } catch (RuntimeException e) {
                    throw new AssertionError("events so far: " + bySource + "\nworker output:\n"
                            + String.join("\n", workerOutput), e);
                } finally {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                    frameIndex.interrupt();
                }
                for (String worker : List.of("motion-java", "motion-py")) {
                    for (Event event : bySource.get(worker)) {
                        checkBoxes(worker, event, frameNumberAt.get(event.getCaptureTimeMicros()), pattern);
                    }
                }
            }
        } finally {
            serverLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Every box covers a place where the square or the circle was drawn lately; one covers where one is now. */
    private static void checkBoxes(String worker, Event event, long frame, DemoPattern pattern) {
        String what = worker + " event for camera frame " + frame + ": " + event;
        assertTrue(event.getBoxesCount() > 0, what);
        boolean coversNow = false;
        for (BoundingBox b : event.getBoxesList()) {
            NormalizedBox box = new NormalizedBox(b.getX(), b.getY(), b.getWidth(), b.getHeight());
            coversNow |= overlaps(box, pattern.squareBox(frame)) || overlaps(box, pattern.circleBox(frame));
            boolean coversLately = false;
            for (long f = frame; f >= Math.max(0, frame - MOTION_MEMORY_FRAMES); f--) {
                coversLately |= overlaps(box, pattern.squareBox(f)) || overlaps(box, pattern.circleBox(f));
            }
            assertTrue(coversLately, "a box where nothing moved: " + what);
            assertTrue(!inside(box, pattern.clockBox()) && !inside(box, pattern.stripBox()),
                    "a box inside an ignored region: " + what);
        }
        assertTrue(coversNow, "no box where an object is: " + what);
    }

    private static boolean overlaps(NormalizedBox a, NormalizedBox b) {
        return a.intersectionOverUnion(b) > 0;
    }

    private static boolean inside(NormalizedBox inner, NormalizedBox outer) {
        return inner.x() >= outer.x() && inner.y() >= outer.y() && inner.right() <= outer.right()
                && inner.bottom() <= outer.bottom();
    }

    /** The --ignore options masking the clock and the frame-number strip, which change in every frame. */
    private static String ignoreArgs(DemoPattern pattern) {
        StringBuilder args = new StringBuilder();
        for (NormalizedBox box : List.of(pattern.clockBox(), pattern.stripBox())) {
            args.append(String.format(Locale.ROOT, "--ignore, \"%.4f,%.4f,%.4f,%.4f\", ", box.x(), box.y(), box.width(),
                    box.height()));
        }
        return args.substring(0, args.length() - 2);
    }

    /** Maps each RGB frame's capture time to the camera frame number burned into it. */
    private static void indexFrameNumbers(String channel, Map<Long, Long> frameNumberAt) {
        try (ChannelReader reader = ChannelReader.builder(channel).expect(ChannelType.RGB24)
                .awaitWriter(Duration.ofSeconds(30)).open()) {
            while (!Thread.currentThread().isInterrupted()) {
                PullStatus status = reader.pull(Duration.ofMillis(200));
                if (status.hasFrame()) {
                    Frame frame = reader.frame();
                    long number = DemoPattern.decodeFrameNumberRgb24(frame.payload(), frame.width(), frame.height());
                    if (number >= 0 && frame.isIntact()) {
                        frameNumberAt.put(frame.captureTimeMicros(), number);
                    }
                }
            }
        }
    }
}
