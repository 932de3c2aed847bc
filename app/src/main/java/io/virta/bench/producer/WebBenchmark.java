package io.virta.bench.producer;

import io.virta.bench.BenchReport;

import io.virta.testkit.HeadlessChromium;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.netty.channel.nio.NioEventLoopGroup;
import io.virta.bus.ChannelReader;
import io.virta.bus.Clock;
import io.virta.bus.PullStatus;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.daemon.Producer;
import io.virta.demo.camera.DemoCamera;
import io.virta.producer.source.StreamEvents;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.server.MediaMount;
import io.virta.rtsp.server.RtspServer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code virta bench web}: latency from a frame's capture to its display in headless Chromium, over
 * loopback through the web view, against the floor of the same frames' capture to their YUV on the
 * bus. The demo camera is served over RTSP, the producer ingests and decodes it and serves the page;
 * the browser's {@code requestVideoFrameCallback} gives each displayed frame's media time and
 * expected display time, which the page's media-time to capture-time map turns into a latency.
 */
public final class WebBenchmark {
    /** Collects (display time - capture time) for every frame the page's video presents. */
    private static final String COLLECT = """
            const t = window.virta.tiles.get('%s');
            window.benchLatencies = [];
            const onFrame = (now, meta) => {
              const capture = t.times.captureAt(meta.mediaTime);
              if (Number.isFinite(capture)) {
                window.benchLatencies.push(performance.timeOrigin + meta.expectedDisplayTime - capture);
              }
              t.video.requestVideoFrameCallback(onFrame);
            };
            t.video.requestVideoFrameCallback(onFrame);
            const q = t.video.getVideoPlaybackQuality();
            return {frames: q.totalVideoFrames, dropped: q.droppedVideoFrames};
            """;

    private final BenchReport report = new BenchReport();

    /** {@code virta bench web}: the options, and the run. */
    @Command(name = "web", description = "Browser live view: capture to display in headless Chromium, against capture"
            + " to YUV on the bus.")
    public static final class Cli implements Callable<Integer> {
        @Option(names = "--seconds", paramLabel = "S", description = "how long to measure (default 20)")
        Optional<Double> seconds = Optional.empty();
        @Option(names = "--size", paramLabel = "WxH", description = "the demo camera's picture (default ${DEFAULT-VALUE})")
        String size = "1280x720";
        @Option(names = "--fps", paramLabel = "F", description = "its frame rate (default ${DEFAULT-VALUE})")
        int fps = 25;
        @Option(names = "--quick", description = "5 s")
        boolean quick;
        @Mixin
        BenchReport.OutFile out;

        @Override
        public Integer call() throws Exception {
            String[] picture = size.split("x");
            int width = Integer.parseInt(picture[0]);
            int height = Integer.parseInt(picture[1]);
            WebBenchmark bench = new WebBenchmark();
            bench.measure(width, height, fps, seconds.orElse(quick ? 5.0 : 20.0));
            bench.report.writeTo(out.file());
            return 0;
        }
    }

    private void measure(int width, int height, int fps, double seconds) throws Exception {
        io.virta.producer.daemon.FfmpegLog.quiet();
        String camera = "webbench" + ProcessHandle.current().pid();
        NioEventLoopGroup cameraLoop = new NioEventLoopGroup(1);
        try (DemoCamera demo = new DemoCamera(width, height, fps)) {
            MediaMount mount = new MediaMount(camera, VideoCodec.H264);
            demo.addListener(mount::publish);
            RtspServer server = new RtspServer(cameraLoop).mount(mount).bind("127.0.0.1", 0);
            demo.start();
            String yaml = "cameras:\n  - {name: " + camera + ", url: '" + server.url(camera) + "', transport: tcp}\n"
                    + "control: {listen: '127.0.0.1:0'}\nwebView: {listen: '127.0.0.1:0'}\n";
            try (Producer producer = new Producer(ProducerConfig.parse(yaml, "bench"), StreamEvents.NONE).start();
                 HeadlessChromium browser = HeadlessChromium.start()) {
                browser.open(producer.webView().url());
                awaitPlaying(browser, camera);
                Thread.sleep(2000); // let the page settle at the live edge
                long[] floor = new long[(int) (seconds * fps * 2)];
                int[] floorCount = {0};
                Thread reader = Thread.ofPlatform().daemon().start(() -> floorCount[0] = busLatencies(camera + ".yuv", floor,
                        (long) (seconds * 1e9)));
                JsonObject before = browser.run(COLLECT.formatted(camera)).getAsJsonObject();
                Thread.sleep((long) (seconds * 1000));
                JsonObject after = browser.run("""
                        const q = window.virta.tiles.get('%s').video.getVideoPlaybackQuality();
                        return {latencies: window.benchLatencies, frames: q.totalVideoFrames, dropped: q.droppedVideoFrames};
                        """.formatted(camera)).getAsJsonObject();
                reader.join();
                JsonArray values = after.getAsJsonArray("latencies");
                double[] browserMs = new double[values.size()];
                for (int i = 0; i < browserMs.length; i++) {
                    browserMs[i] = values.get(i).getAsDouble();
                }
                double[] floorMs = new double[floorCount[0]];
                for (int i = 0; i < floorMs.length; i++) {
                    floorMs[i] = floor[i] / 1000.0;
                }
                report.line("## Web view benchmark (" + BenchReport.machine() + ", demo camera " + width + "x" + height
                        + " at " + fps + " fps, " + seconds + " s)");
                report.line("");
                report.line("| path | frames | median (ms) | p95 (ms) | max (ms) |");
                report.line("|---|---|---|---|---|");
                row("capture → YUV on the bus (producer decode, the floor)", floorMs);
                row("capture → displayed in headless Chromium (web view, MSE)", browserMs);
                report.line("");
                report.line(String.format(Locale.ROOT, "Chromium: %d frames presented, %d dropped during the run; the web view"
                                + " dropped %d fragments for slow clients.",
                        after.get("frames").getAsLong() - before.get("frames").getAsLong(),
                        after.get("dropped").getAsLong() - before.get("dropped").getAsLong(),
                        producer.webView().fragmentsDropped(camera)));
            }
        } finally {
            cameraLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static void awaitPlaying(HeadlessChromium browser, String camera) throws InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String script = "const t = window.virta && window.virta.tiles.get('" + camera + "');"
                + " return !!t && t.playing && t.video.currentTime > 0;";
        while (!browser.run(script).getAsBoolean()) {
            if (System.nanoTime() > giveUp) {
                throw new IllegalStateException("the page did not start playing " + camera + " within 30 s");
            }
            Thread.sleep(100);
        }
    }

    /** Capture → readable on the bus, µs, for each frame of {@code channel} during {@code nanos}; returns how many. */
    private static int busLatencies(String channel, long[] micros, long nanos) {
        long end = System.nanoTime() + nanos;
        int n = 0;
        try (ChannelReader reader = ChannelReader.builder(channel).awaitWriter(Duration.ofSeconds(20))
                .start(ChannelReader.Start.NEXT).open()) {
            while (System.nanoTime() < end && n < micros.length) {
                PullStatus status = reader.pull(Duration.ofSeconds(5));
                if (!status.hasFrame()) {
                    throw new IllegalStateException(channel + ": " + status);
                }
                micros[n++] = Clock.epochMicros() - reader.frame().captureTimeMicros();
            }
        }
        return n;
    }

    private void row(String what, double[] ms) {
        if (ms.length == 0) {
            report.line("| " + what + " | 0 | - | - | - |");
            return;
        }
        Arrays.sort(ms);
        report.line(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |", what, ms.length, ms[ms.length / 2],
                ms[(int) (ms.length * 0.95)], ms[ms.length - 1]));
    }

}
