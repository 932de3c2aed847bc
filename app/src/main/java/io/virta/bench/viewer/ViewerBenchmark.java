package io.virta.bench.viewer;

import io.virta.bench.ProcessCpu;
import io.virta.bench.BenchReport;

import io.virta.testkit.Xvfb;


import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
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

    private static final Set<String> PARTS = Set.of("upload", "present", "cpu");
    private static final Pattern SIZE = Pattern.compile("(\\d{2,4})x(\\d{2,4})");
    private static final Pattern SHOWN = Pattern.compile("(\\d{1,2})x(\\d{1,2})(:windows)?");

    private ViewerBenchmark() {
    }

    /** {@code virta bench viewer}: the options, and the run. */
    @Command(name = "viewer", description = {"GL viewer: upload and draw cost per frame against a naive upload and an"
            + " RGB quad, frames presented and dropped with 1 to 16 streams, CPU against ffplay."},
            footer = {"Needs Xvfb, Mesa (llvmpipe will do), ffmpeg and ffplay: scripts/install-deps.sh installs them.",
                    "Takes about 4 minutes with the defaults."})
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--part", paramLabel = "P", description = {"the parts to run, comma-separated (default"
                + " ${DEFAULT-VALUE}): upload: upload and draw cost per 720p and 1080p frame, against a naive upload"
                + " and an RGB quad, in this process; present: frames presented and dropped with 1, 4 and 16 streams"
                + " (and 16 tiles of 4 and of 1 stream), with the viewer's CPU; cpu: CPU of the viewer (and the"
                + " producer decoding for it) against ffplay showing the same H264 clip"})
        String part = "upload,present,cpu";
        @Option(names = "--seconds", paramLabel = "S",
                description = "measured seconds per row of the present and cpu parts (default 10)")
        Optional<Long> seconds = Optional.empty();
        @Option(names = "--warmup", paramLabel = "S",
                description = "seconds each of those rows runs before it is measured (default 3)")
        Optional<Long> warmup = Optional.empty();
        @Option(names = "--rounds", paramLabel = "N",
                description = "rounds of the upload part; the table gives their median and p90 (default 15)")
        Optional<Long> rounds = Optional.empty();
        @Option(names = "--size", paramLabel = "WxH",
                description = "the present part's frame size (default ${DEFAULT-VALUE})")
        String size = "1920x1080";
        @Option(names = "--cpu-shown", paramLabel = "LIST", description = {"the cpu part's cases as STREAMSxTIMES,"
                + " e.g. 4x1 = 4 streams once each, 1x4 = one stream shown 4 times, in one grid window; with :windows,"
                + " a window per tile as ffplay has (default ${DEFAULT-VALUE})"})
        String cpuShown = "1x1,4x1,4x1:windows,1x4";
        @Option(names = "--display", paramLabel = ":N", description = "use this X server (1920x1080 or larger) instead"
                + " of starting Xvfb on a free display of :130..:160")
        Optional<String> display = Optional.empty();
        @Option(names = "--quick", description = "3 rounds, 2 s rows after 1 s of warm-up: a smoke run, not figures to"
                + " quote")
        boolean quick;
        @Mixin
        BenchReport.OutFile out;

        @Override
        public Integer call() throws Exception {
            Set<String> parts;
            int[] frameSize;
            List<CpuAgainstFfplay.Shown> shown;
            try {
                parts = parts(part);
                frameSize = size(size);
                shown = shown(cpuShown);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            int rowSeconds = (int) atLeastOne("--seconds", seconds.orElse(quick ? 2L : 10L));
            int warmupSeconds = (int) (long) warmup.orElse(quick ? 1L : 3L);
            int roundCount = (int) atLeastOne("--rounds", rounds.orElse(quick ? 3L : 15L));
            // The AWT inside the viewer's classes must never look for a display of its own.
            System.setProperty("java.awt.headless", "true");

            BenchReport report = new BenchReport();
            report.line("## Viewer benchmark (%s%s)", BenchReport.machine(),
                    quick ? ", --quick: not figures to quote" : "");
            report.line("");
            Xvfb xvfb = display.isEmpty() ? Xvfb.start(1920, 1080) : null;
            try {
                String screen = xvfb != null ? xvfb.display() : display.get();
                report.line("X server: %s (%s).", screen, xvfb != null ? "Xvfb 1920x1080x24, started by the benchmark"
                        : "given with --display");
                report.line("");
                if (parts.contains("upload")) {
                    new UploadDrawCost(report, roundCount).measure(screen);
                }
                // The X server's CPU when it is ours to watch: the viewer's and ffplay's pictures are copied into it.
                DoubleSupplier xServerCpu = xvfb != null ? () -> ProcessCpu.seconds(xvfb.pid()) : () -> Double.NaN;
                if (parts.contains("present")) {
                    new PresentedVsDropped(report, screen, xServerCpu, frameSize[0], frameSize[1], warmupSeconds,
                            rowSeconds).measure();
                }
                if (parts.contains("cpu")) {
                    Path clips = Path.of(System.getProperty("virta.home", System.getProperty("java.io.tmpdir")))
                            .toAbsolutePath().resolve("bench/target");
                    new CpuAgainstFfplay(report, screen, xServerCpu, clips, warmupSeconds, rowSeconds).measure(shown);
                }
            } finally {
                if (xvfb != null) {
                    xvfb.close();
                }
            }
            report.writeTo(out.file());
            return 0;
        }

        private long atLeastOne(String option, long value) {
            if (value < 1) {
                throw new ParameterException(spec.commandLine(), option + " must be at least 1, not " + value);
            }
            return value;
        }
    }

    private static Set<String> parts(String text) {
        Set<String> parts = new LinkedHashSet<>();
        for (String part : text.split(",")) {
            if (!PARTS.contains(part.strip())) {
                throw new IllegalArgumentException("--part '" + part + "' is not one of upload, present,"
                        + " cpu (e.g. --part upload,cpu)");
            }
            parts.add(part.strip());
        }
        return parts;
    }

    private static int[] size(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches() || Integer.parseInt(m.group(1)) > 3840 || Integer.parseInt(m.group(2)) > 2160
                || Integer.parseInt(m.group(1)) % 2 != 0 || Integer.parseInt(m.group(2)) % 2 != 0) {
            throw new IllegalArgumentException("--size '" + text + "' is not an even WIDTHxHEIGHT up to"
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
                throw new IllegalArgumentException("--cpu-shown '" + item + "' is not STREAMSxTIMES"
                        + " (optionally :windows) with 1 to 16 tiles, e.g. 4x1, 4x1:windows or 1x4");
            }
            cases.add(new CpuAgainstFfplay.Shown(streams, replicas, m.group(3) != null));
        }
        return cases;
    }
}
