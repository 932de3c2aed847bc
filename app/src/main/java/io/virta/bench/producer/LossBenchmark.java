package io.virta.bench.producer;

import io.virta.bench.BenchReport;

import io.virta.testkit.GstCamera;
import io.virta.testkit.NetworkLab;

import io.virta.producer.config.ProducerConfig;
import io.virta.producer.status.CameraStatus;
import io.virta.producer.daemon.Producer;
import io.virta.producer.source.StreamEvents;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code virta bench loss}: frames that reach the bus from a camera behind a lossy link, against the
 * frames ffmpeg decodes from the same camera over the same link in the same run.
 *
 * <p>The camera (gst-rtsp-server looping a 1080p25 H264 clip, a keyframe a second) runs in a network
 * namespace whose veth drops a given share of its UDP packets at random ({@link NetworkLab}: a tc eBPF
 * classifier, as this kernel has no netem). At the same time, over UDP:
 * <ul>
 *   <li>the producer plays it twice, as a camera with {@code onLoss: conceal} (the default) and one with
 *       {@code onLoss: drop}; their decoded pictures ({@code .yuv} frames published) are counted over the
 *       measured window, and the conceal camera's DAMAGED ones;</li>
 *   <li>{@code ffmpeg -rtsp_transport udp ... -f null -} decodes it for the same number of seconds and
 *       reports its frame count.</li>
 * </ul>
 * Each count is given as a share of the frames the camera sent (25 a second). Needs root, iproute2,
 * llvm, ffmpeg and gst-rtsp-server (scripts/install-deps.sh).
 */
public final class LossBenchmark {
    private static final double FPS = 25;
    private static final Pattern FFMPEG_FRAMES = Pattern.compile("frame=\\s*(\\d+)");

    private final BenchReport report = new BenchReport();

    private LossBenchmark() {
    }

    /** {@code virta bench loss}: the options, and the run. */
    @Command(name = "loss", description = {"Frames that reach the bus at 3 %% UDP packet loss (conceal and drop),"
            + " against ffmpeg's frame count from the same camera over the same lossy link."},
            footer = "Runs as root: it makes a network namespace (removed at the end).")
    public static final class Cli implements Callable<Integer> {
        @Option(names = "--loss-percent", paramLabel = "P", defaultValue = "3", description = "share of the camera's"
                + " UDP packets dropped at random (default ${DEFAULT-VALUE}, steps of 0.1)")
        double lossPercent;
        @Option(names = "--seconds", paramLabel = "S", description = "measured seconds (default 30; --quick: 10)")
        Optional<Double> seconds = Optional.empty();
        @Option(names = "--quick", description = "10 s: a smoke run, not figures to quote")
        boolean quick;
        @Mixin
        BenchReport.OutFile out;

        @Override
        public Integer call() throws Exception {
            if (!NetworkLab.available() || !NetworkLab.lossAvailable()) {
                System.err.println("virta bench loss: needs root, iproute2 and llc (Debian's llvm): run"
                        + " scripts/install-deps.sh as root");
                return 2;
            }
            Path home = Path.of(System.getProperty("virta.home", ".")).toAbsolutePath();
            io.virta.producer.daemon.FfmpegLog.quiet();
            LossBenchmark bench = new LossBenchmark();
            try (NetworkLab lab = NetworkLab.create("bench")) {
                NetworkLab.Namespace cameraHost = lab.addNamespace();
                lab.randomUdpLoss(cameraHost, (int) Math.round(lossPercent * 10));
                try (GstCamera camera = GstCamera.startIn(home, cameraHost)) {
                    bench.measure(camera.url(), lossPercent, seconds.orElse(quick ? 10.0 : 30.0), quick);
                }
                bench.report.line("");
                bench.report.line("UDP packets the link dropped during the run: " + NetworkLab.droppedUdpPackets(cameraHost));
            }
            bench.report.writeTo(out.file());
            return 0;
        }
    }

    private void measure(String url, double lossPercent, double seconds, boolean quick) throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        String conceal = "lossc" + pid;
        String drop = "lossd" + pid;
        String yaml = "cameras:\n"
                + "  - { name: " + conceal + ", url: \"" + url + "\", transport: udp, onLoss: conceal, rgb: { enabled: false } }\n"
                + "  - { name: " + drop + ", url: \"" + url + "\", transport: udp, onLoss: drop, rgb: { enabled: false } }\n";
        report.heading("Video under packet loss", quick);
        report.line(String.format(Locale.ROOT, "1080p25 H264 (a keyframe a second, 4 Mbit/s) over UDP, %.1f %% of the packets"
                + " dropped at random; %.0f s measured; shares of the %.0f frames the camera sent meanwhile.", lossPercent,
                seconds, seconds * FPS));
        report.line("");
        try (Producer producer = new Producer(ProducerConfig.parse(yaml, "bench"), StreamEvents.NONE).start()) {
            awaitPictures(producer, conceal, drop);
            Thread.sleep(2000); // past the first keyframe wait of every receiver
            CameraStatus.Stats c0 = producer.status(conceal).stats();
            CameraStatus.Stats d0 = producer.status(drop).stats();
            long t0 = System.nanoTime();
            long ffmpegFrames = ffmpegFrames(url, seconds);
            double wall = (System.nanoTime() - t0) / 1e9;
            CameraStatus.Stats c1 = producer.status(conceal).stats();
            CameraStatus.Stats d1 = producer.status(drop).stats();
            double sentVirta = wall * FPS;
            double sentFfmpeg = seconds * FPS;
            double ffmpegShare = ffmpegFrames / sentFfmpeg;
            long concealFrames = c1.yuvPublished() - c0.yuvPublished();
            long dropFrames = d1.yuvPublished() - d0.yuvPublished();
            report.line("| receiver | frames decoded | share of frames sent | vs ffmpeg | flagged DAMAGED | packets lost |");
            report.line("|---|---|---|---|---|---|");
            report.line(row("Virta, onLoss: conceal (default)", concealFrames, concealFrames / sentVirta, ffmpegShare,
                    String.valueOf(c1.unitsDamaged() - c0.unitsDamaged()), c1.packetsLost() - c0.packetsLost()));
            report.line(row("Virta, onLoss: drop", dropFrames, dropFrames / sentVirta, ffmpegShare, "-",
                    d1.packetsLost() - d0.packetsLost()));
            report.line(row("ffmpeg -rtsp_transport udp -f null (peer)", ffmpegFrames, ffmpegShare, ffmpegShare, "-", -1));
        }
    }

    private static String row(String what, long frames, double share, double ffmpegShare, String damaged, long lost) {
        return String.format(Locale.ROOT, "| %s | %d | %.1f %% | %.2f× | %s | %s |", what, frames, 100 * share,
                share / ffmpegShare, damaged, lost < 0 ? "-" : Long.toString(lost));
    }

    private static void awaitPictures(Producer producer, String... cameras) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (String camera : cameras) {
            while (producer.status(camera).stats().yuvPublished() == 0) {
                if (System.nanoTime() > giveUp) {
                    throw new IllegalStateException("camera " + camera + " decoded nothing within 30 s: "
                            + producer.status(camera).lastError());
                }
                Thread.sleep(50);
            }
        }
    }

    /** Frames ffmpeg decodes from the camera over UDP in {@code seconds} of stream (its last progress line). */
    private static long ffmpegFrames(String url, double seconds) throws Exception {
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-hide_banner", "-rtsp_transport", "udp",
                "-i", url, "-t", String.format(Locale.ROOT, "%.1f", seconds), "-map", "0:v:0", "-fps_mode", "passthrough",
                "-f", "null", "-"));
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor((long) seconds + 60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("ffmpeg did not finish");
        }
        long frames = -1;
        Matcher m = FFMPEG_FRAMES.matcher(stderr);
        while (m.find()) {
            frames = Long.parseLong(m.group(1));
        }
        if (frames < 0) {
            throw new IllegalStateException("ffmpeg printed no frame count: " + stderr.substring(Math.max(0, stderr.length() - 2000)));
        }
        return frames;
    }

}
