package io.virta.viewer;

import io.virta.testkit.Xvfb;

import io.virta.demo.camera.DemoCamera;
import io.virta.demo.camera.DemoPattern;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.server.MediaMount;
import io.virta.rtsp.server.RtspServer;
import io.virta.cli.VirtaJvm;
import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.ReportRequest;
import io.virta.viewer.overlay.LabelPalette;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The viewer against a real producer (its own process) ingesting the demo camera over RTSP: the demo's
 * colour bars where they belong, a camera the producer does not know, and recovery from a producer killed
 * with SIGKILL and from a camera that goes silent, each time through "no signal" and back to video.
 */
@Timeout(180)
class ViewerWithProducerTest {
    private static final int TOLERANCE = 14;   // H.264 at the demo's bitrate, then BT.601 back to RGB
    private static Xvfb x;
    private static NioEventLoopGroup loop;
    private static DemoCamera demo;
    private static MediaMount mount;
    private static AccessUnitListener feedMount;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        x = Xvfb.forTests(1920, 1080);
        loop = new NioEventLoopGroup(1);
        demo = new DemoCamera(1280, 720, 25);
        mount = new MediaMount("demo", VideoCodec.H264);
        feedMount = mount::publish;
        demo.addListener(feedMount);
        RtspServer server = new RtspServer(loop).mount(mount).bind("127.0.0.1", 0);
        demo.start();
        url = server.url("demo");
    }

    @AfterAll
    static void stop() throws Exception {
        if (demo != null) {
            demo.close();
        }
        if (loop != null) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        if (x != null) {
            x.close();
        }
    }

    @Test
    void showsTheDemoCamerasBarsThroughTheProducer() throws Exception {
        try (ProducerProcess producer = ProducerProcess.start("bars");
             ViewerProcess viewer = ViewerProcess.start(producer.camera, "--control", producer.control,
                     "--size", "1280x720", "--position", "0,0", "--display", x.display(), "--hub", "none")) {
            viewer.awaitLine(l -> l.startsWith("window 0 "), Duration.ofSeconds(30));
            awaitBars(viewer);
        }
    }

    @Test
    void anInjectedEventsBoxIsDrawnWhereItsPictureSaysOverTheVideo() throws Exception {
        try (ProducerProcess producer = ProducerProcess.start("overlay");
             ViewerProcess viewer = ViewerProcess.start(producer.camera, "--control", producer.control,
                     "--size", "1280x720", "--position", "0,0", "--display", x.display(), "--overlay-seconds", "60")) {
            viewer.awaitLine(l -> l.contains("overlays: subscribed to the event hub") || l.contains("boxes resume"),
                    Duration.ofSeconds(30));
            awaitBars(viewer);
            // A box over the middle half of the picture, as a worker would report it to the producer's hub.
            ManagedChannel channel = Grpc.newChannelBuilder(producer.control, InsecureChannelCredentials.create()).build();
            try {
                var response = EventHubGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .report(ReportRequest.newBuilder().addEvents(Event.newBuilder().setType("intrusion")
                                .setCamera(producer.camera).setSource("test")
                                .setCaptureTimeMicros(System.currentTimeMillis() * 1000)
                                .addBoxes(BoundingBox.newBuilder().setX(0.25f).setY(0.25f).setWidth(0.5f)
                                        .setHeight(0.5f).setLabel("person").setScore(0.93f))).build());
                assertEquals(1, response.getAccepted(), response.toString());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            int colour = LabelPalette.colour("person");
            int[] rgb = {colour >>> 24, (colour >>> 16) & 0xff, (colour >>> 8) & 0xff};
            // The 1280x720 picture fills the window 1:1: the box's edges are at x 320 and 960, y 180 and 540.
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String seen = "";
            while (System.nanoTime() < end) {
                Screen screen = Screen.grab(x.display(), 0, 0, 1280, 720);
                int[] left = edge(screen, 320, 360, true, rgb);
                int[] right = edge(screen, 960, 360, true, rgb);
                int[] top = edge(screen, 640, 180, false, rgb);
                int[] bottom = edge(screen, 640, 540, false, rgb);
                int[] inside = screen.mean(640, 400, 1);
                seen = "left " + Screen.text(left) + ", right " + Screen.text(right) + ", top " + Screen.text(top)
                        + ", bottom " + Screen.text(bottom) + ", inside " + Screen.text(inside);
                if (Screen.near(left, rgb, 10) && Screen.near(right, rgb, 10) && Screen.near(top, rgb, 10)
                        && Screen.near(bottom, rgb, 10) && !Screen.near(inside, rgb, 40)) {
                    return;
                }
                Thread.sleep(250);
            }
            fail("no " + Screen.text(rgb) + " box with edges at 320/960 x 180/540: " + seen + "\n" + viewer.output());
        }
    }

    /** Of the 5 pixels across an edge, the one closest to {@code rgb}: the 2-pixel line is within 2 of its place. */
    private static int[] edge(Screen screen, int x, int y, boolean vertical, int[] rgb) {
        int[] best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (int d = -2; d <= 2; d++) {
            int[] p = vertical ? screen.rgb(x + d, y) : screen.rgb(x, y + d);
            int distance = Math.abs(p[0] - rgb[0]) + Math.abs(p[1] - rgb[1]) + Math.abs(p[2] - rgb[2]);
            if (distance < bestDistance) {
                best = p;
                bestDistance = distance;
            }
        }
        return best;
    }

    @Test
    void aCameraTheProducerDoesNotKnowIsAnError() throws Exception {
        try (ProducerProcess producer = ProducerProcess.start("known");
             ViewerProcess viewer = ViewerProcess.start("nosuchcamera", "--control", producer.control,
                     "--display", x.display(), "--hub", "none")) {
            assertEquals(1, viewer.awaitExit(Duration.ofSeconds(60)));
            assertTrue(viewer.output().contains("error: camera 'nosuchcamera' is not known to the producer at "
                    + producer.control), viewer.output());
        }
    }

    @Test
    void survivesAProducerKilledWithSigkillAndACameraGoingSilent() throws Exception {
        ProducerProcess producer = ProducerProcess.start("recover");
        String camera = producer.camera;
        String control = producer.control;
        try (ViewerProcess viewer = ViewerProcess.start(camera, "--control", control, "--size", "640x360",
                "--position", "0,0", "--display", x.display(), "--hub", "none", "--no-signal-seconds", "1")) {
            viewer.awaitLine(l -> l.startsWith("window 0 "), Duration.ofSeconds(30));
            awaitPicture(viewer, true);
            producer.kill();
            awaitPicture(viewer, false);
            producer = ProducerProcess.start(camera, control, producer.dir);
            awaitPicture(viewer, true);
            // The camera stops sending: the producer keeps its channel, which goes silent; then it sends again.
            demo.removeListener(feedMount);
            awaitPicture(viewer, false);
            demo.addListener(feedMount);
            awaitPicture(viewer, true);
            assertTrue(viewer.isAlive());
            viewer.terminate();
            String summary = viewer.awaitLine(l -> l.startsWith("summary " + camera + ":"), Duration.ofSeconds(5));
            assertTrue(!summary.contains("re-attaches 0;"), "the viewer re-attached to the new producer: " + summary);
        } finally {
            producer.close();
        }
    }

    /** The bar row of the demo picture shown 1:1 in a 1280x720 window at the screen's top-left corner. */
    private static void awaitBars(ViewerProcess viewer) throws Exception {
        DemoPattern pattern = new DemoPattern(1280, 720);
        long end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        String mismatch = "";
        while (System.nanoTime() < end) {
            Screen screen = Screen.grab(x.display(), 0, 0, 1280, 720);
            mismatch = "";
            for (DemoPattern.Bar bar : DemoPattern.Bar.values()) {
                int[] actual = screen.mean(pattern.barCenterX(bar), pattern.barSampleRow(), 2);
                int[] expected = {bar.red, bar.green, bar.blue};
                if (!Screen.near(actual, expected, TOLERANCE)) {
                    mismatch += " " + bar + " " + Screen.text(actual) + " instead of " + Screen.text(expected) + ";";
                }
            }
            if (mismatch.isEmpty()) {
                return;
            }
            Thread.sleep(250);
        }
        fail("the demo's bars are not where they belong:" + mismatch + "\n" + viewer.output());
    }

    /** Waits until the tile shows video (the bars' white at the bar row) or the no-signal colour. */
    private static void awaitPicture(ViewerProcess viewer, boolean video) throws Exception {
        // 640x360 shows the 1280x720 picture at half size: the white bar's centre is at half its x.
        DemoPattern pattern = new DemoPattern(1280, 720);
        int px = pattern.barCenterX(DemoPattern.Bar.YELLOW) / 2;
        int py = pattern.barSampleRow() / 2;
        int[] expected = video ? new int[] {191, 191, 0} : Viewer.NO_SIGNAL_RGB;
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int[] actual = null;
        while (System.nanoTime() < end) {
            actual = Screen.grab(x.display(), 0, 0, 640, 360).mean(px, py, 1);
            if (Screen.near(actual, expected, TOLERANCE)) {
                return;
            }
            Thread.sleep(200);
        }
        fail("expected " + (video ? "video" : "no signal") + " " + Screen.text(expected) + " but the tile shows "
                + Screen.text(actual) + "\n" + viewer.output());
    }

    /** The producer daemon as its own process, on a fixed control port so that a restart keeps the address. */
    private static final class ProducerProcess implements AutoCloseable {
        final String camera;
        final String control;
        final Path dir;
        final Process process;

        private ProducerProcess(String camera, String control, Path dir, Process process) {
            this.camera = camera;
            this.control = control;
            this.dir = dir;
            this.process = process;
        }

        static ProducerProcess start(String name) throws IOException {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            return start(name + ProcessHandle.current().pid(), "127.0.0.1:" + port,
                    Files.createTempDirectory("virta-viewer-producer"));
        }

        static ProducerProcess start(String camera, String control, Path dir) throws IOException {
            Path yaml = dir.resolve("producer.yaml");
            Files.writeString(yaml, """
                    control: { listen: "%s" }
                    events: { journal: %s }
                    cameras:
                      - name: %s
                        url: %s
                        transport: tcp
                        rgb: { enabled: false }
                    """.formatted(control, dir.resolve("journal"), camera, url));
            List<String> command = new ArrayList<>(VirtaJvm.command("producer", "--config", yaml.toString(),
                    "--status-every", "0"));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("producer.log").toFile())).start();
            return new ProducerProcess(camera, control, dir, process);
        }

        void kill() throws InterruptedException {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
