package io.virta.bench.producer;

import io.virta.bench.BenchReport;

import io.virta.testkit.GstCamera;

import io.virta.bus.ChannelReader;
import io.virta.bus.PullStatus;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.daemon.Producer;
import io.virta.producer.ingest.CameraPipeline;
import io.virta.producer.source.StreamEvents;
import io.virta.bus.Clock;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code virta bench ingest}: what a camera costs the producer, against ffmpeg in the same run.
 *
 * <ul>
 *   <li>CPU of N concurrent 1080p RTSP streams received and published without decoding, against N
 *       {@code ffmpeg -c copy -f null} clients of the same server (goal: at most 0.5×).</li>
 *   <li>Latency from a frame's last RTP packet arriving to the decoded frame being readable on the
 *       bus (I420 and scaled RGB), p50 and p99.</li>
 * </ul>
 * The camera is a {@link GstCamera}; everything runs over TCP on loopback.
 */
public final class IngestBenchmark {

    private final Path home;
    private final BenchReport report = new BenchReport();

    private IngestBenchmark(Path home) {
        this.home = home;
    }

    /** {@code virta bench ingest}: the options, and the run. */
    @Command(name = "ingest", description = {"CPU of 32 RTSP streams without decoding against 32 ffmpeg -c copy"
            + " clients, and latency from a frame's last packet to the decoded frame on the bus."},
            footer = "Needs ffmpeg and gst-rtsp-server (scripts/install-deps.sh installs them).")
    public static final class Cli implements Callable<Integer> {
        @Option(names = "--streams", paramLabel = "N", description = "concurrent streams (default 32)")
        Optional<Integer> streams = Optional.empty();
        @Option(names = "--seconds", paramLabel = "S", description = "measuring time per phase (default 20)")
        Optional<Double> seconds = Optional.empty();
        @Option(names = "--warmup", paramLabel = "S", description = "time the producer runs before it is measured, so"
                + " the JIT has compiled the packet path as in a long-running daemon (default 40)")
        Optional<Double> warmup = Optional.empty();
        @Option(names = "--quick", description = "4 streams, 3 s: a smoke run, not figures to quote")
        boolean quick;
        @Mixin
        BenchReport.OutFile out;

        @Override
        public Integer call() throws Exception {
            int streamCount = streams.orElse(quick ? 4 : 32);
            double measured = seconds.orElse(quick ? 3.0 : 20.0);
            double warm = warmup.orElse(quick ? 2.0 : 40.0);
            IngestBenchmark bench = new IngestBenchmark(Path.of(System.getProperty("virta.home", ".")).toAbsolutePath());
            io.virta.producer.daemon.FfmpegLog.quiet();
            try (GstCamera camera = GstCamera.start(bench.home)) {
                String url = camera.url();
                bench.report.heading("Ingest benchmark", quick);
                bench.cpu(url, streamCount, measured, warm);
                bench.latency(url, quick ? 100 : 500);
            }
            bench.report.writeTo(out.file());
            return 0;
        }
    }

    // ---------------------------------------------------------------- CPU per stream

    private void cpu(String url, int streams, double seconds, double warmup) throws Exception {
        report.line("### CPU of " + streams + " concurrent 1080p25 RTSP streams over TCP, no decoding (" + seconds
                + " s each; the producer warmed up for " + warmup + " s first)");
        report.line("");
        report.line("| receiver | CPU seconds per second | per stream (ms/s) | units received | vs ffmpeg |");
        report.line("|---|---|---|---|---|");
        double[] producer = producerCpu(url, streams, seconds, warmup);
        double[] ffmpeg = ffmpegCpu(url, streams, seconds);
        double[] again = producerCpu(url, streams, seconds, warmup);
        row("Virta producer (" + streams + " cameras, decode off)", producer, streams, ffmpeg[0]);
        row(streams + " × ffmpeg -c copy -f null (peer)", ffmpeg, streams, ffmpeg[0]);
        row("Virta producer, again", again, streams, ffmpeg[0]);
        report.line("");
    }

    private void row(String what, double[] result, int streams, double peer) {
        report.line(String.format(Locale.ROOT, "| %s | %.3f | %.2f | %s | %.2f× |", what, result[0], result[0] * 1000 / streams,
                result[1] < 0 ? "-" : String.format(Locale.ROOT, "%.0f", result[1]), result[0] / peer));
    }

    /** {CPU seconds per wall second, units received while measuring}. */
    private double[] producerCpu(String url, int streams, double seconds, double warmup) throws Exception {
        StringBuilder yaml = new StringBuilder("ioThreads: 1\ncameras:\n");
        for (int i = 0; i < streams; i++) {
            yaml.append("  - { name: bench").append(ProcessHandle.current().pid()).append('x').append(i)
                    .append(", url: \"").append(url).append("\", transport: tcp, decode: false }\n");
        }
        try (Producer producer = new Producer(ProducerConfig.parse(yaml.toString(), "bench"), StreamEvents.NONE).start()) {
            awaitOnline(producer, streams);
            Thread.sleep((long) (warmup * 1000));
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long units0 = units(producer);
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long cpu = os.getProcessCpuTime() - cpu0;
            long wall = System.nanoTime() - t0;
            return new double[] {(double) cpu / wall, units(producer) - units0};
        }
    }

    private static long units(Producer producer) {
        long n = 0;
        for (CameraPipeline c : producer.cameras()) {
            n += c.receiver().units();
        }
        return n;
    }

    private static void awaitOnline(Producer producer, int streams) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (producer.cameras().stream().filter(c -> c.receiver().units() > 0).count() < streams) {
            if (System.nanoTime() > giveUp) {
                throw new IllegalStateException("not every stream came online within 60 s");
            }
            Thread.sleep(100);
        }
    }

    private double[] ffmpegCpu(String url, int streams, double seconds) throws Exception {
        List<Process> clients = new ArrayList<>();
        try {
            for (int i = 0; i < streams; i++) {
                clients.add(new ProcessBuilder("ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", url,
                        "-c", "copy", "-f", "null", "-").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start());
            }
            Thread.sleep(4000);
            long cpu0 = cpuTicks(clients);
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long ticks = cpuTicks(clients) - cpu0;
            long wall = System.nanoTime() - t0;
            for (Process p : clients) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("an ffmpeg client exited early (" + p.exitValue() + ")");
                }
            }
            return new double[] {ticks / 100.0 / (wall / 1e9), -1};
        } finally {
            for (Process p : clients) {
                p.destroyForcibly();
            }
        }
    }

    /** utime + stime of each process, in clock ticks (USER_HZ, 100 on Linux). */
    private static long cpuTicks(List<Process> processes) throws IOException {
        long sum = 0;
        for (Process p : processes) {
            String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            sum += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        return sum;
    }

    // ---------------------------------------------------------------- latency

    private void latency(String url, int frames) throws Exception {
        report.line("### Latency, last RTP packet of a frame to the decoded frame readable on the bus (1 stream, TCP, 1080p25)");
        report.line("");
        report.line("| channel | frames | p50 (ms) | p99 (ms) | max (ms) |");
        report.line("|---|---|---|---|---|");
        String camera = "benchlat" + ProcessHandle.current().pid();
        String yaml = "cameras:\n  - { name: " + camera + ", url: \"" + url + "\", transport: tcp, rgb: { width: 640, height: 360 } }\n";
        try (Producer producer = new Producer(ProducerConfig.parse(yaml, "bench"), StreamEvents.NONE).start()) {
            awaitOnline(producer, 1);
            for (String channel : new String[] {camera + ".yuv", camera + ".rgb"}) {
                long[] micros = latencies(channel, frames);
                Arrays.sort(micros);
                report.line(String.format(Locale.ROOT, "| %s (%s) | %d | %.2f | %.2f | %.2f |", channel.substring(camera.length()),
                        channel.endsWith(".yuv") ? "I420, 1920x1080" : "RGB24 scaled to 640x360", micros.length,
                        micros[micros.length / 2] / 1000.0, micros[(int) (micros.length * 0.99)] / 1000.0,
                        micros[micros.length - 1] / 1000.0));
            }
            var decoder = producer.camera(camera).decoder();
            report.line("");
            report.line(String.format(Locale.ROOT, "Decoder thread, wall time per 1080p frame for decoding, the I420 copy and RGB scaling: %.2f ms (mean of %d, warm-up included).",
                    decoder.meanDecodeMicros() / 1000, decoder.unitsDecoded()));
        }
        report.line("");
    }

    private static long[] latencies(String channel, int frames) {
        long[] micros = new long[frames];
        try (ChannelReader reader = ChannelReader.builder(channel).awaitWriter(Duration.ofSeconds(20))
                .start(ChannelReader.Start.NEXT).open()) {
            int skipped = 0;
            int n = 0;
            while (n < frames) {
                PullStatus status = reader.pull(Duration.ofSeconds(5));
                if (!status.hasFrame()) {
                    throw new IllegalStateException(channel + ": " + status);
                }
                long latency = Clock.epochMicros() - reader.frame().arrivalTimeMicros();
                if (skipped++ < 25) {
                    continue; // the first second: decoder and JIT warming up
                }
                micros[n++] = latency;
            }
        }
        return micros;
    }
}
