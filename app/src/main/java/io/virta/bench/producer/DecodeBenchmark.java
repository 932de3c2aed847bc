package io.virta.bench.producer;

import io.virta.bench.BenchReport;

import io.virta.producer.decode.ScalingAlgorithm;

import io.virta.producer.decode.AnnexBStream;
import io.virta.producer.decode.FfmpegStructs;
import io.virta.producer.decode.RgbPublisher;
import io.virta.producer.decode.VideoDecoder;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelWriter;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import org.bytedeco.javacpp.Loader;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code virta bench decode}: CPU per 1080p frame of decoding H264, alone and followed by swscale to
 * RGB24, through {@link VideoDecoder} and {@link RgbPublisher} into a bus channel, side by side with
 * the ffmpeg command line doing the same work on the same clip, in the same run.
 *
 * <p>Every side decodes on one thread. The ffmpeg figure is the marginal CPU per frame: a run over
 * the clip {@code passes + 1} times minus a run over it once, divided by the extra frames, so
 * process start-up and the first pass drop out, as our warm-up pass does on our side. Both Debian's
 * ffmpeg (the peer the goal names) and the ffmpeg program of JavaCV's own build (the same FFmpeg
 * release as ours, so what differs is the glue alone) are measured. Repetitions are interleaved and
 * the least CPU of each side kept: on a shared machine noise only ever adds.
 *
 * <p>The RGB conversion alone is also measured directly, since the difference of two workloads
 * measured apart is noisy: our decoding thread's CPU time inside {@link RgbPublisher#onFrame}, and the
 * ffmpeg 8.0.1 CLI converting the clip's first {@value #RAW_PICTURES} decoded pictures read raw (user
 * time of an RGB24 run minus a YUV run of the same pipeline).
 */
public final class DecodeBenchmark {

    private static final String DEBIAN_FFMPEG = "/usr/bin/ffmpeg";
    private static final int WIDTH = 1920;
    private static final int HEIGHT = 1080;
    /** Decoded pictures the ffmpeg CLI converts from raw, looped: 50 of them are 155 MB. */
    private static final int RAW_PICTURES = 50;
    private static final Pattern FRAME_COUNT = Pattern.compile("frame=\\s*(\\d+)");
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([0-9.]+)s\\s+(\\d+)m([0-9.]+)s");

    private final Path home;
    private final boolean quick;
    private final BenchReport report = new BenchReport();

    private DecodeBenchmark(Path home, boolean quick) {
        this.home = home;
        this.quick = quick;
    }

    /** {@code virta bench decode}: the options, and the run. */
    @Command(name = "decode", description = "CPU per 1080p frame, decode + scale to RGB24, against ffmpeg -threads 1.",
            footer = "Needs Debian's ffmpeg (/usr/bin/ffmpeg with libx264): it makes the 1080p clip and is the peer.")
    public static final class Cli implements Callable<Integer> {
        @Option(names = "--quick", description = "one measured pass over the clip (a smoke run, not figures to quote)")
        boolean quick;
        @Mixin
        BenchReport.OutFile out;

        @Override
        public Integer call() {
            try {
                DecodeBenchmark bench = new DecodeBenchmark(
                        Path.of(System.getProperty("virta.home", ".")).toAbsolutePath(), quick);
                bench.measure();
                bench.report.writeTo(out.file());
                return 0;
            } catch (IOException | IllegalStateException e) {
                System.err.println("virta bench decode: " + e.getMessage());
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                System.err.println("virta bench decode: interrupted");
                return 1;
            }
        }
    }

    /** CPU of one side: total nanoseconds over {@code frames} measured frames. */
    private record Cpu(long frames, long nanos) {
        double millisPerFrame() {
            return nanos / 1e6 / frames;
        }
    }

    /** What each side does per frame. */
    private enum Workload {
        DECODE("decode only", null),
        RGB("decode + RGB24 " + WIDTH + "x" + HEIGHT + " (bicubic)", "scale=" + WIDTH + ":" + HEIGHT + ":flags=bicubic");

        final String description;
        final String ffmpegFilter;

        Workload(String description, String ffmpegFilter) {
            this.description = description;
            this.ffmpegFilter = ffmpegFilter;
        }
    }

    /** The best (least) CPU per side over the repetitions: on a shared machine noise only ever adds. */
    private static final class Best {
        Cpu debian;
        Cpu javacvCli;
        Cpu thread;
        Cpu process;
        /** RGB only: CPU of the conversion alone, in Virta's RgbPublisher and (user CPU) the ffmpeg 8.0.1 CLI's scale filter. */
        Cpu conversion;
        Cpu javacvConversion;

        static Cpu min(Cpu best, Cpu next) {
            return best == null || next.millisPerFrame() < best.millisPerFrame() ? next : best;
        }
    }

    private void measure() throws IOException, InterruptedException {
        int passes = quick ? 1 : 4;
        int repetitions = quick ? 1 : 3;
        Path clip = makeClip();
        Path raw = makeRawPictures(clip);
        AnnexBStream stream = AnnexBStream.read(clip, VideoCodec.H264);
        if (stream.unitCount() == 0) {
            throw new IllegalStateException("no access units in " + clip + ": remove it to have it made again");
        }
        String debianVersion = ffmpegVersion(DEBIAN_FFMPEG);
        String javacvFfmpeg = Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
        String javacvVersion = FfmpegStructs.version();
        int frames = stream.unitCount();

        Best[] best = {new Best(), new Best()};
        for (int r = 0; r < repetitions; r++) {
            for (Workload workload : Workload.values()) {
                Best b = best[workload.ordinal()];
                b.debian = Best.min(b.debian, ffmpegCpu(DEBIAN_FFMPEG, clip, workload, frames, passes));
                b.javacvCli = Best.min(b.javacvCli, ffmpegCpu(javacvFfmpeg, clip, workload, frames, passes));
                Cpu[] ours = ours(stream, workload, passes);
                b.thread = Best.min(b.thread, ours[0]);
                b.process = Best.min(b.process, ours[1]);
                if (workload == Workload.RGB) {
                    b.conversion = Best.min(b.conversion, ours[2]);
                    b.javacvConversion = Best.min(b.javacvConversion, ffmpegConversionCpu(javacvFfmpeg, raw, passes));
                }
            }
        }

        report.heading("Decode benchmark", quick);
        report.line("1080p25 H264 (testsrc2, x264 baseline, 2 Mb/s, a keyframe every 25 frames, " + frames
                + " frames), decoded on one thread; CPU time (user + system) per frame after a warm-up pass, "
                + passes + " measured pass" + (passes > 1 ? "es" : "") + ", best of " + repetitions
                + " interleaved repetition" + (repetitions > 1 ? "s" : "") + ". Debian's ffmpeg is " + debianVersion
                + "; JavaCV's FFmpeg (Virta's, and its ffmpeg program) is " + javacvVersion + ".");
        report.line("");
        report.line("| work per frame | pipeline | FFmpeg | frames | CPU per frame (ms) | vs Debian ffmpeg | vs ffmpeg "
                + javacvVersion + " CLI |");
        report.line("|---|---|---|---|---|---|---|");
        for (Workload workload : Workload.values()) {
            Best b = best[workload.ordinal()];
            String command = "`ffmpeg -threads 1 -i clip " + (workload.ffmpegFilter == null ? ""
                    : "-vf " + workload.ffmpegFilter + " -pix_fmt rgb24 ") + "-f null -`";
            String virta = workload == Workload.RGB ? "VideoDecoder + RgbPublisher into a bus channel"
                    : "VideoDecoder, listener that does nothing";
            row(workload, "ffmpeg CLI: " + command, debianVersion, b.debian, b);
            row(workload, "ffmpeg CLI, the same command", javacvVersion + " (JavaCV's build)", b.javacvCli, b);
            row(workload, "**Virta: " + virta + "** (decoding thread)", javacvVersion, b.thread, b);
            row(workload, "Virta, the same runs, whole JVM (GC, JIT, ticker threads too)", javacvVersion, b.process, b);
        }
        report.line("");
        Best rgb = best[Workload.RGB.ordinal()];
        Best decode = best[Workload.DECODE.ordinal()];
        report.line(String.format(Locale.ROOT, "RGB conversion alone (the difference of the two workloads): Virta %.3f ms,"
                + " ffmpeg %s CLI %.3f ms, ffmpeg %s CLI %.3f ms per frame. The ffmpeg CLI also reads and parses the"
                + " file; Virta's units come from memory, as from a depacketizer. Goal: Virta ≤ 1.05× the ffmpeg CLI.",
                rgb.thread.millisPerFrame() - decode.thread.millisPerFrame(), debianVersion,
                rgb.debian.millisPerFrame() - decode.debian.millisPerFrame(), javacvVersion,
                rgb.javacvCli.millisPerFrame() - decode.javacvCli.millisPerFrame()));
        report.line("");
        report.line(String.format(Locale.ROOT, "RGB conversion alone, measured directly (CPU per 1080p picture, best of %d):"
                + " **Virta %.3f ms** (the decoding thread's CPU time inside RgbPublisher.onFrame: claim, swscale into the"
                + " cell, commit), ffmpeg %s CLI %.3f ms of user CPU (reading the file is system time) (`ffmpeg -f rawvideo -pix_fmt yuv420p -i pictures -vf"
                + " scale=1920:1080:flags=bicubic -pix_fmt rgb24 -f null -` minus the same with `-pix_fmt yuv420p`,"
                + " over %d of the clip's decoded pictures, %d times): %.2f×. The difference of the two workloads"
                + " above subtracts two separately measured runs and is noisy (in a --quick run, tenths of a ms either"
                + " way); this figure is not. Both convert through swscale's unscaled YUV→RGB path; a 1080p RGB24"
                + " picture is 6.2 MB written, so memory bandwidth bounds it.", repetitions,
                rgb.conversion.millisPerFrame(), javacvVersion, rgb.javacvConversion.millisPerFrame(), RAW_PICTURES,
                passes * 2, rgb.conversion.millisPerFrame() / rgb.javacvConversion.millisPerFrame()));
        report.line("");
    }

    private void row(Workload workload, String what, String ffmpeg, Cpu cpu, Best best) {
        report.line(String.format(Locale.ROOT, "| %s | %s | %s | %d | %.3f | %.2f× | %.2f× |", workload.description, what,
                ffmpeg, cpu.frames(), cpu.millisPerFrame(), cpu.millisPerFrame() / best.debian.millisPerFrame(),
                cpu.millisPerFrame() / best.javacvCli.millisPerFrame()));
    }

    // ---------------------------------------------------------------- our side

    /** Our CPU per frame: the decoding thread's, the whole process's, and (RGB) the thread's converting. */
    private static Cpu[] ours(AnnexBStream stream, Workload workload, int passes) {
        // One ready unit per picture, as a depacketizer hands them over; filling them is not decoding.
        AccessUnit[] units = new AccessUnit[stream.unitCount()];
        for (int i = 0; i < units.length; i++) {
            units[i] = AccessUnit.allocate(stream.unitSize(i) + VideoDecoder.PADDING);
            stream.copyTo(i, units[i]);
        }
        var threads = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] converting = {0};
        String channel = "bench.decode." + ProcessHandle.current().pid();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(channel, WIDTH, HEIGHT).cells(4));
             RgbPublisher rgb = new RgbPublisher(writer, ScalingAlgorithm.BICUBIC, 0);
             VideoDecoder decoder = new VideoDecoder(VideoCodec.H264, 1,
                     workload == Workload.RGB ? frame -> {
                         // CPU time is a fast clock (CLOCK_THREAD_CPUTIME_ID); user time alone is read from /proc in 10 ms ticks.
                         long start = threads.getCurrentThreadCpuTime();
                         rgb.onFrame(frame);
                         converting[0] += threads.getCurrentThreadCpuTime() - start;
                     } : frame -> { })) {
            long sequence = decodePass(decoder, units, 0);
            decoder.flush();
            converting[0] = 0;
            long frames0 = decoder.framesDecoded();
            long thread0 = threads.getCurrentThreadCpuTime();
            long process0 = os.getProcessCpuTime();
            for (int pass = 0; pass < passes; pass++) {
                sequence = decodePass(decoder, units, sequence);
            }
            decoder.flush();
            long threadNanos = threads.getCurrentThreadCpuTime() - thread0;
            long processNanos = os.getProcessCpuTime() - process0;
            long frames = decoder.framesDecoded() - frames0;
            if (frames != (long) passes * units.length || decoder.decodeErrors() != 0) {
                throw new IllegalStateException("Virta decoded " + frames + " frames of " + (long) passes * units.length
                        + " with " + decoder.decodeErrors() + " errors");
            }
            return new Cpu[] {new Cpu(frames, threadNanos), new Cpu(frames, processNanos), new Cpu(frames, converting[0])};
        }
    }

    private static long decodePass(VideoDecoder decoder, AccessUnit[] units, long sequence) {
        for (AccessUnit unit : units) {
            sequence++;
            unit.sequence(sequence).captureTimeMicros(sequence * 40_000).arrivalTimeMicros(sequence * 40_000);
            decoder.decode(unit);
        }
        return sequence;
    }

    // ---------------------------------------------------------------- ffmpeg's side

    /** Marginal CPU per frame of the ffmpeg command line: (passes + 1) times the clip, minus once. */
    private static Cpu ffmpegCpu(String ffmpeg, Path clip, Workload workload, int framesPerPass, int passes)
            throws IOException, InterruptedException {
        long once = ffmpegRun(ffmpeg, clip, workload, 1, framesPerPass);
        long many = ffmpegRun(ffmpeg, clip, workload, passes + 1, framesPerPass);
        return new Cpu((long) passes * framesPerPass, many - once);
    }

    /** Runs the ffmpeg pipeline over the clip {@code times} times; returns its user + system CPU in ns. */
    private static long ffmpegRun(String ffmpeg, Path clip, Workload workload, int times, int framesPerPass)
            throws IOException, InterruptedException {
        // The concat protocol plays the raw clip several times over; -stream_loop cannot rewind a raw stream.
        String input = "concat:" + String.join("|", java.util.Collections.nCopies(times, clip.toString()));
        List<String> command = new ArrayList<>(List.of("bash", "-c", "\"$@\" 2>&1; times", "bash",
                ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-stats", "-threads", "1", "-i", input,
                "-filter_threads", "1"));
        if (workload.ffmpegFilter != null) {
            command.addAll(List.of("-vf", workload.ffmpegFilter, "-pix_fmt", "rgb24"));
        }
        command.addAll(List.of("-f", "null", "-"));
        String out = output(command);
        Matcher frames = FRAME_COUNT.matcher(out);
        long lastFrames = -1;
        while (frames.find()) {
            lastFrames = Long.parseLong(frames.group(1));
        }
        if (lastFrames != (long) times * framesPerPass) {
            throw new IllegalStateException(ffmpeg + " decoded " + lastFrames + " frames, not " + (long) times * framesPerPass
                    + ": " + out.strip());
        }
        // bash's `times`: our shell's user and system time, then its children's (ffmpeg's).
        Matcher m = TIMES.matcher(out);
        long cpu = -1;
        while (m.find()) {
            cpu = Math.round((Long.parseLong(m.group(1)) * 60 + Double.parseDouble(m.group(2))
                    + Long.parseLong(m.group(3)) * 60 + Double.parseDouble(m.group(4))) * 1e9);
        }
        if (cpu < 0) {
            throw new IllegalStateException("no CPU times from bash for " + ffmpeg + ": " + out.strip());
        }
        return cpu;
    }

    /**
     * User CPU per picture of the ffmpeg CLI's RGB24 conversion alone: the clip's decoded pictures read
     * raw, converted to RGB24, minus the same pipeline left in YUV (the scale filter then passes
     * pictures through). Reading the file is system time, which this leaves out on both sides.
     */
    private static Cpu ffmpegConversionCpu(String ffmpeg, Path raw, int passes) throws IOException, InterruptedException {
        int loops = passes * 2;
        long rgb = ffmpegUserNanos(ffmpeg, raw, loops, "rgb24");
        long yuv = ffmpegUserNanos(ffmpeg, raw, loops, "yuv420p");
        return new Cpu((long) loops * RAW_PICTURES, rgb - yuv);
    }

    private static long ffmpegUserNanos(String ffmpeg, Path raw, int loops, String pixelFormat)
            throws IOException, InterruptedException {
        String out = output(List.of("bash", "-c", "\"$@\" 2>&1; times", "bash", ffmpeg, "-hide_banner", "-nostdin", "-v",
                "error", "-threads", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", WIDTH + "x" + HEIGHT,
                "-stream_loop", Integer.toString(loops - 1), "-i", raw.toString(), "-filter_threads", "1", "-vf",
                "scale=" + WIDTH + ":" + HEIGHT + ":flags=bicubic", "-pix_fmt", pixelFormat, "-f", "null", "-"));
        Matcher m = TIMES.matcher(out);
        long user = -1;
        while (m.find()) {
            user = Math.round((Long.parseLong(m.group(1)) * 60 + Double.parseDouble(m.group(2))) * 1e9);
        }
        if (user < 0) {
            throw new IllegalStateException("no CPU times from bash for " + ffmpeg + ": " + out.strip());
        }
        return user;
    }

    /** The first {@value #RAW_PICTURES} pictures of the clip, decoded to raw I420 once, next to it. */
    private static Path makeRawPictures(Path clip) throws IOException, InterruptedException {
        Path raw = clip.resolveSibling("cam1080-" + RAW_PICTURES + ".yuv");
        long size = (long) RAW_PICTURES * WIDTH * HEIGHT * 3 / 2;
        if (Files.exists(raw) && Files.size(raw) == size) {
            return raw;
        }
        Path tmp = clip.resolveSibling(raw.getFileName() + ".tmp");
        output(List.of(DEBIAN_FFMPEG, "-hide_banner", "-v", "error", "-y", "-i", clip.toString(), "-frames:v",
                Integer.toString(RAW_PICTURES), "-f", "rawvideo", "-pix_fmt", "yuv420p", tmp.toString()));
        Files.move(tmp, raw, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return raw;
    }

    private static String ffmpegVersion(String ffmpeg) throws IOException, InterruptedException {
        String out = output(List.of(ffmpeg, "-hide_banner", "-version"));
        Matcher m = Pattern.compile("ffmpeg version (\\S+)").matcher(out);
        return m.find() ? m.group(1) : "unknown";
    }

    /** The 10 s 1080p25 camera-like clip, made once into producer/target/decode-bench. */
    private Path makeClip() throws IOException, InterruptedException {
        Path dir = Files.createDirectories(home.resolve("producer/target/decode-bench"));
        Path clip = dir.resolve("cam1080.h264");
        if (Files.exists(clip)) {
            return clip;
        }
        if (!Files.isExecutable(Path.of(DEBIAN_FFMPEG))) {
            throw new IllegalStateException(DEBIAN_FFMPEG + " is missing: install Debian's ffmpeg (apt-get install ffmpeg)");
        }
        System.err.println("making " + clip + " with " + DEBIAN_FFMPEG + " ...");
        Path tmp = dir.resolve("cam1080.h264.tmp");
        output(List.of(DEBIAN_FFMPEG, "-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i",
                "testsrc2=size=" + WIDTH + "x" + HEIGHT + ":rate=25", "-t", "10", "-c:v", "libx264", "-threads", "1",
                "-pix_fmt", "yuv420p", "-preset", "veryfast", "-profile:v", "baseline", "-g", "25", "-keyint_min", "25",
                "-sc_threshold", "0", "-bf", "0", "-x264-params", "repeat-headers=1:aud=1:slices=1", "-b:v", "2M",
                "-f", "h264", tmp.toString()));
        Files.move(tmp, clip, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return clip;
    }

    private static String output(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(command.getFirst() + " failed: " + new String(out, StandardCharsets.UTF_8).strip());
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
