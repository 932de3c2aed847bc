package io.virta.bench.viewer;

import io.virta.bench.BenchReport;

import io.virta.testkit.Xvfb;

import io.virta.bus.tools.Args;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code virta bench viewer}: what showing video costs the GL viewer, each figure beside a peer measured
 * in the same run. Three parts, each its own class: {@link UploadDrawCost} (upload and draw per frame,
 * in process), {@link PresentedVsDropped} (the viewer process with 1 to 16 streams) and
 * {@link CpuAgainstFfplay} (viewer and producer against ffplay showing the same clip).
 */
public final class ViewerBenchmark {
    static final String USAGE = """
            usage: virta bench viewer [options]
              --part P          the parts to run, comma-separated (default upload,present,cpu):
                                  upload   upload and draw cost per 720p and 1080p frame, against a naive
                                           upload and an RGB quad, in this process
                                  present  frames presented and dropped with 1, 4 and 16 streams (and 16 tiles
                                           of 4 and of 1 stream), with the viewer's CPU
                                  cpu      CPU of the viewer (and the producer decoding for it) against ffplay
                                           showing the same H264 clip
              --seconds S       measured seconds per row of the present and cpu parts (default 10)
              --warmup S        seconds each of those rows runs before it is measured (default 3)
              --rounds N        rounds of the upload part; the table gives their median and p90 (default 15)
              --size WxH        the present part's frame size (default 1920x1080)
              --cpu-shown LIST  the cpu part's cases as STREAMSxTIMES, e.g. 4x1 = 4 streams once each,
                                1x4 = one stream shown 4 times, in one grid window; with :windows, a
                                window per tile as ffplay has (default 1x1,4x1,4x1:windows,1x4)
              --display :N      use this X server (1920x1080 or larger) instead of starting Xvfb on a free
                                display of :130..:160
              --quick           3 rounds, 2 s rows after 1 s of warm-up: a smoke run, not figures to quote
              --out FILE        also write the markdown report to FILE
            Needs Xvfb, Mesa (llvmpipe will do), ffmpeg and ffplay: scripts/install-deps.sh installs them.
            Takes about 4 minutes with the defaults.
            """;

    private static final Set<String> PARTS = Set.of("upload", "present", "cpu");
    private static final Pattern SIZE = Pattern.compile("(\\d{2,4})x(\\d{2,4})");
    private static final Pattern SHOWN = Pattern.compile("(\\d{1,2})x(\\d{1,2})(:windows)?");

    private ViewerBenchmark() {
    }

    public static int run(String[] argv) throws Exception {
        if (Arrays.asList(argv).contains("--help")) {
            System.out.print(USAGE);
            return 0;
        }
        Args args = new Args("virta bench viewer", argv, Set.of("part", "seconds", "warmup", "rounds", "size",
                "cpu-shown", "display", "out"), Set.of("quick"));
        boolean quick = args.flag("quick");
        Set<String> parts = parts(args.string("part", "upload,present,cpu"));
        int seconds = (int) positive(args, "seconds", quick ? 2 : 10);
        int warmup = (int) args.number("warmup", quick ? 1 : 3);
        int rounds = (int) positive(args, "rounds", quick ? 3 : 15);
        int[] size = size(args.string("size", "1920x1080"));
        List<CpuAgainstFfplay.Shown> shown = shown(args.string("cpu-shown", "1x1,4x1,4x1:windows,1x4"));
        String display = args.string("display", null);
        String out = args.string("out", null);
        // The AWT inside the viewer's classes must never look for a display of its own.
        System.setProperty("java.awt.headless", "true");

        BenchReport report = new BenchReport();
        report.line("## Viewer benchmark (%s%s)", BenchReport.machine(),
                quick ? ", --quick: not figures to quote" : "");
        report.line("");
        Xvfb xvfb = display == null ? Xvfb.start(1920, 1080) : null;
        try {
            String screen = xvfb != null ? xvfb.display() : display;
            report.line("X server: %s (%s).", screen, xvfb != null ? "Xvfb 1920x1080x24, started by the benchmark"
                    : "given with --display");
            report.line("");
            if (parts.contains("upload")) {
                new UploadDrawCost(report, rounds).measure(screen);
            }
            // The X server's CPU when it is ours to watch: the viewer's and ffplay's pictures are copied into it.
            DoubleSupplier xServerCpu = xvfb != null ? () -> ProcessCpu.seconds(xvfb.pid()) : () -> Double.NaN;
            if (parts.contains("present")) {
                new PresentedVsDropped(report, screen, xServerCpu, size[0], size[1], warmup, seconds).measure();
            }
            if (parts.contains("cpu")) {
                Path clips = Path.of(System.getProperty("virta.home", System.getProperty("java.io.tmpdir")))
                        .toAbsolutePath().resolve("bench/target");
                new CpuAgainstFfplay(report, screen, xServerCpu, clips, warmup, seconds).measure(shown);
            }
        } finally {
            if (xvfb != null) {
                xvfb.close();
            }
        }
        report.writeTo(Optional.ofNullable(out).map(Path::of));
        return 0;
    }

    private static Set<String> parts(String text) {
        Set<String> parts = new LinkedHashSet<>();
        for (String part : text.split(",")) {
            if (!PARTS.contains(part.strip())) {
                throw new Args.UsageException("virta bench viewer: --part '" + part + "' is not one of upload, present,"
                        + " cpu (e.g. --part upload,cpu)");
            }
            parts.add(part.strip());
        }
        return parts;
    }

    private static long positive(Args args, String name, long fallback) {
        long v = args.number(name, fallback);
        if (v < 1) {
            throw new Args.UsageException("virta bench viewer: --" + name + " must be at least 1, not " + v);
        }
        return v;
    }

    private static int[] size(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches() || Integer.parseInt(m.group(1)) > 3840 || Integer.parseInt(m.group(2)) > 2160
                || Integer.parseInt(m.group(1)) % 2 != 0 || Integer.parseInt(m.group(2)) % 2 != 0) {
            throw new Args.UsageException("virta bench viewer: --size '" + text + "' is not an even WIDTHxHEIGHT up to"
                    + " 3840x2160, e.g. 1280x720");
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private static List<CpuAgainstFfplay.Shown> shown(String text) {
        List<CpuAgainstFfplay.Shown> cases = new ArrayList<>();
        for (String item : text.split(",")) {
            Matcher m = SHOWN.matcher(item.strip());
            int streams = m.matches() ? Integer.parseInt(m.group(1)) : 0;
            int replicas = m.matches() ? Integer.parseInt(m.group(2)) : 0;
            if (streams < 1 || replicas < 1 || streams * replicas > 16) {
                throw new Args.UsageException("virta bench viewer: --cpu-shown '" + item + "' is not STREAMSxTIMES"
                        + " (optionally :windows) with 1 to 16 tiles, e.g. 4x1, 4x1:windows or 1x4");
            }
            cases.add(new CpuAgainstFfplay.Shown(streams, replicas, m.group(3) != null));
        }
        return cases;
    }
}
