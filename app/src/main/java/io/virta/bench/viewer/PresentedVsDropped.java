package io.virta.bench.viewer;

import io.virta.bench.BenchReport;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Part 2, {@code --part present}: frames presented against frames dropped, and why, with 1, 4 and 16
 * streams written at 25 fps by {@link SyntheticCameras}, and with the same 16 tiles made of fewer
 * streams shown several times. The viewer is a process of its own, with its default buffering
 * (100 ms) and vsync, in its default 1280x720 grid window.
 */
final class PresentedVsDropped {
    /** Streams x replicas: 1, 4 and 16 streams, then 16 tiles made of 4 and of 1 stream. */
    private static final int[][] SHAPES = {{1, 1}, {4, 1}, {16, 1}, {4, 4}, {1, 16}};
    private static final double FPS = 25;

    private final BenchReport report;
    private final String display;
    private final int width;
    private final int height;
    private final int warmup;
    private final int seconds;
    private final DoubleSupplier xServerCpu;

    PresentedVsDropped(BenchReport report, String display, DoubleSupplier xServerCpu, int width, int height, int warmup,
            int seconds) {
        this.report = report;
        this.display = display;
        this.xServerCpu = xServerCpu;
        this.width = width;
        this.height = height;
        this.warmup = warmup;
        this.seconds = seconds;
    }

    void measure() throws Exception {
        report.line("### Presented against dropped, %dx%d at %.0f fps per stream, grid window 1280x720, buffer 100 ms"
                + " (%d s measured after %d s of warm-up)", width, height, FPS, seconds, warmup);
        report.line("");
        report.header("streams × replicas = tiles", "presented / received", "late", "superseded", "overflow", "torn",
                "reallocating", "bus lost", "presented per stream (fps)", "redraws/s", "viewer CPU (s/s)",
                "viewer CPU per presented frame (ms)", "X server CPU (s/s)");
        String prefix = "vbench" + ProcessHandle.current().pid() + "s";
        try (SyntheticCameras cameras = new SyntheticCameras(prefix, 16, width, height, FPS)) {
            for (int[] shape : SHAPES) {
                row(cameras.names().subList(0, shape[0]), shape[1]);
            }
        }
        report.line("");
    }

    private void row(List<String> channels, int replicas) throws Exception {
        List<String> args = new ArrayList<>();
        for (String c : channels) {
            args.add("channel:" + c);
        }
        args.addAll(List.of("--layout", "grid", "--replicate", Integer.toString(replicas), "--hub", "none",
                "--display", display));
        ViewerChild.Window w;
        try (ViewerChild viewer = ViewerChild.start(args, List.of(xServerCpu))) {
            w = viewer.measure(warmup, seconds, 30);
        }
        StreamCounters t = w.total();
        report.row(channels.size() + " × " + replicas + " = " + channels.size() * replicas,
                t.presented() + " / " + t.received(), t.late(), t.superseded(), t.overflow(), t.torn(), t.reallocating(),
                t.busLost(), BenchReport.fixed(t.presented() / w.seconds() / channels.size(), 1),
                BenchReport.fixed(w.redraws() / w.seconds(), 1), BenchReport.fixed(w.viewerCpu() / w.seconds(), 2),
                BenchReport.fixed(t.presented() > 0 ? w.viewerCpu() * 1000 / t.presented() : 0, 2),
                BenchReport.fixed(w.companionCpu()[0] / w.seconds(), 2));
    }
}
