package io.virta.viewer;

import io.virta.producer.demo.camera.DemoCamera;
import io.virta.producer.demo.camera.DemoPattern;
import io.virta.producer.media.AccessUnitListener;
import io.virta.producer.media.VideoCodec;
import io.virta.producer.rtsp.server.MediaMount;
import io.virta.producer.rtsp.server.RtspServer;
import io.virta.producer.testing.VirtaJvm;
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
    private static XServer x;
    private static NioEventLoopGroup loop;
    private static DemoCamera demo;
    private static MediaMount mount;
    private static AccessUnitListener feedMount;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        x = XServer.start(1920, 1080);
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
