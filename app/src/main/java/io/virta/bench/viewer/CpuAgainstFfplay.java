package io.virta.bench.viewer;

import io.virta.bench.ProcessCpu;
import io.virta.bench.BenchReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Part 3, {@code --part cpu}: CPU time of showing the same H264 streams with Virta and with ffplay, in
 * the same run. Virta: the producer decodes each stream once from the clip file (in real time, looping)
 * into its YUV channel, and the viewer shows the channels; it is measured as the viewer alone and as
 * viewer plus producer. Peer: one ffplay per shown stream, each reading, decoding and showing the same
 * file. Also one stream shown four times: the viewer replicates one decoded stream into four tiles,
 * where four ffplays decode it four times.
 */
final class CpuAgainstFfplay {
    private static final String CLIP_NAME = "viewer-720p25.mkv";

    private final BenchReport report;
    private final String display;
    private final Path clipDirectory;
    private final int warmup;
    private final int seconds;
    private final DoubleSupplier xServerCpu;

    CpuAgainstFfplay(BenchReport report, String display, DoubleSupplier xServerCpu, Path clipDirectory, int warmup,
            int seconds) {
        this.report = report;
        this.display = display;
        this.xServerCpu = xServerCpu;
        this.clipDirectory = clipDirectory;
        this.warmup = warmup;
        this.seconds = seconds;
    }

    /**
     * A case: how many distinct streams, each shown how many times, in the viewer's one grid window (its
     * default for several cameras) or in a window per tile as the ffplays have.
     */
    record Shown(int streams, int replicas, boolean windows) {
        int tiles() {
            return streams * replicas;
        }
    }

    void measure(List<Shown> cases) throws Exception {
        Path clip = clip();
        report.line("### CPU of showing H264 1280x720 25 fps streams: Virta (producer decodes, viewer shows) against"
                + " ffplay, same clip, same X server (%d s measured after %d s of warm-up)", seconds, warmup);
        report.line("");
        report.header("shown", "Virta viewer (s/s)", "Virta producer: read + decode (s/s)", "viewer + producer (s/s)",
                "ffplays (s/s, peer)", "viewer / ffplay", "(viewer + producer) / ffplay",
                "X server (s/s): during Virta / during ffplay", "Virta presented / received", "viewer redraws/s",
                "ffplay frames dropped");
        for (Shown shown : cases) {
            row(shown, clip);
        }
        report.line("");
    }

    private void row(Shown shown, Path clip) throws Exception {
        String prefix = "vb" + ProcessHandle.current().pid() + "c";
        List<String> cameras = new ArrayList<>();
        for (int i = 0; i < shown.streams(); i++) {
            cameras.add(prefix + i);
        }
        ViewerChild.Window virta;
        try (ProducerChild producer = ProducerChild.start(cameras, clip)) {
            List<String> args = new ArrayList<>(cameras);
            // One camera gets a 640x360 window by default, several a 1280x720 grid: both the ffplays' pixels.
            args.addAll(List.of("--layout", shown.windows() || shown.tiles() == 1 ? "windows" : "grid", "--replicate",
                    Integer.toString(shown.replicas())));
            args.addAll(List.of("--control", producer.control(), "--hub", "none", "--display", display));
            try (ViewerChild viewer = ViewerChild.start(args, List.of(() -> ProcessCpu.seconds(producer.pid()),
                    xServerCpu))) {
                virta = viewer.measure(warmup, seconds, 30);
            }
        }
        double peerCpu;
        double peerXServer;
        long peerDropped;
        try (FfplayPeers peers = new FfplayPeers(shown.tiles(), clip, display)) {
            Thread.sleep((warmup + 1) * 1000L);
            double cpu0 = peers.cpuSeconds();
            double x0 = xServerCpu.getAsDouble();
            long dropped0 = peers.dropped();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double wall = (System.nanoTime() - t0) / 1e9;
            peerCpu = (peers.cpuSeconds() - cpu0) / wall;
            peerXServer = (xServerCpu.getAsDouble() - x0) / wall;
            peerDropped = peers.dropped() - dropped0;
        }
        double viewer = virta.viewerCpu() / virta.seconds();
        double producer = virta.companionCpu()[0] / virta.seconds();
        double virtaXServer = virta.companionCpu()[1] / virta.seconds();
        StreamCounters t = virta.total();
        String what = shown.streams() + (shown.streams() == 1 ? " stream" : " streams")
                + (shown.replicas() > 1 ? " shown " + shown.replicas() + " times" : "")
                + (shown.tiles() == 1 ? "" : shown.windows() ? ", a window each" : ", one grid window");
        report.row(what, BenchReport.fixed(viewer, 3), BenchReport.fixed(producer, 3), BenchReport.fixed(viewer + producer, 3),
                BenchReport.fixed(peerCpu, 3), BenchReport.ratio(viewer, peerCpu), BenchReport.ratio(viewer + producer, peerCpu),
                BenchReport.fixed(virtaXServer, 2) + " / " + BenchReport.fixed(peerXServer, 2), t.presented() + " / " + t.received(),
                BenchReport.fixed(virta.redraws() / virta.seconds(), 1), peerDropped);
    }

    /** testsrc2 at 1280x720, 25 fps, 10 s of H264 as an IP camera sends it (no B-frames, a keyframe a second). */
    private Path clip() throws IOException, InterruptedException {
        Files.createDirectories(clipDirectory);
        Path clip = clipDirectory.resolve(CLIP_NAME);
        if (Files.exists(clip)) {
            return clip;
        }
        Path partial = clipDirectory.resolve("partial-" + CLIP_NAME);
        Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                "testsrc2=size=1280x720:rate=25", "-t", "10", "-c:v", "libx264", "-threads", "1", "-pix_fmt", "yuv420p",
                "-preset", "veryfast", "-profile:v", "baseline", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
                "-bf", "0", "-b:v", "2M", partial.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("ffmpeg could not make the benchmark's clip " + clip + " (exit "
                    + p.exitValue() + "); is the ffmpeg package installed?");
        }
        Files.move(partial, clip);
        return clip;
    }
}
