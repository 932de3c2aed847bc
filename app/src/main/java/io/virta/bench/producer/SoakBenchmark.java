package io.virta.bench.producer;

import io.virta.bench.BenchReport;

import io.virta.testkit.GstCamera;

import io.virta.bus.ChannelReader;
import io.virta.bus.Frame;
import io.virta.bus.PullStatus;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.daemon.Producer;
import io.virta.producer.source.StreamEvents;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

/**
 * {@code virta bench soak}: N cameras of one gst-rtsp-server ({@link GstCamera}) in one producer, and M
 * cycles of killing the server (SIGKILL, as a camera losing power) and starting it again on the same
 * port. After each cycle's streaming time it records what a long-running daemon must keep flat: the
 * process's RSS (and the anonymous part of it, without the bus's shared memory), the JVM's direct
 * buffers, open file descriptors and threads. Per camera and cycle it records the reconnect time
 * (server ready again to the camera's first decoded frame on its {@code .yuv} channel) and the frames
 * lost after that first frame: the frames the camera sent between the first and the last frame of the
 * cycle (from the capture times, at the clip's 25 frames/s) minus the frames published (from the bus
 * sequence numbers).
 *
 * <p>Every camera decodes to {@code .yuv} and {@code .rgb} as the default configuration does; the clip
 * is small (640x360 unless {@code --size} says otherwise) so that 12 cameras fit a 2-core machine. What
 * leaks per reconnect does not depend on the picture size.
 */
public final class SoakBenchmark {
    private static final double CLIP_FPS = 25;
    /** The cycles shown in the report's table, besides the last. */
    private static final Set<Integer> SHOWN = Set.of(0, 1, 2, 5, 10, 20, 50, 100, 200, 500);
    private static final Duration RECONNECT_LIMIT = Duration.ofSeconds(60);
    /** One instance: the readers must not allocate per frame, or their garbage would read as the producer's RSS. */
    private static final Duration PULL_TIMEOUT = Duration.ofMillis(200);

    private final Path home;
    private final BenchReport report = new BenchReport();
    private String topAllocators = "";

    private SoakBenchmark(Path home) {
        this.home = home;
    }

    /** What the process held at the end of one cycle's streaming. */
    private record Sample(int cycle, long rssKb, long anonKb, long directBytes, long fds, long threads, long gcs,
            long heapAllocated, long[] reconnectMillis, long delivered, long lost) {
    }

    /** {@code virta bench soak}: the options, and the run. */
    @Command(name = "soak", description = {"N cameras through M kills and restarts of their RTSP server: RSS, direct"
            + " buffers, fds and threads per cycle, the reconnect time and the frames lost."},
            footer = "Needs ffmpeg and gst-rtsp-server (scripts/install-deps.sh installs them).")
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--cameras", paramLabel = "N",
                description = "cameras, all reading the same gst-rtsp-server mount (default 12)")
        Optional<Integer> cameras = Optional.empty();
        @Option(names = "--cycles", paramLabel = "M", description = "server kill/restart cycles (default 100)")
        Optional<Integer> cycles = Optional.empty();
        @Option(names = "--up", paramLabel = "S", defaultValue = "3", description = "seconds every camera streams per"
                + " cycle, after the last one is back (default ${DEFAULT-VALUE})")
        double up;
        @Option(names = "--down", paramLabel = "S", defaultValue = "0.5",
                description = "seconds the server stays dead per cycle (default ${DEFAULT-VALUE})")
        double down;
        @Option(names = "--size", paramLabel = "WxH", description = "clip size, 25 frames/s (default ${DEFAULT-VALUE})")
        String size = "640x360";
        @Option(names = "--transport", paramLabel = "T",
                description = "the cameras' RTSP transport, tcp or udp (default ${DEFAULT-VALUE})")
        String transport = "tcp";
        @Option(names = "--reconnect-seconds", paramLabel = "S", defaultValue = "2", description = "the cameras'"
                + " reconnectSeconds, which caps the retry back-off (default ${DEFAULT-VALUE})")
        double reconnectSeconds;
        @Option(names = "--quick", description = "2 cameras, 3 cycles: a smoke run, not figures to quote")
        boolean quick;
        @Mixin
        BenchReport.OutFile out;

        @Override
        public Integer call() throws Exception {
            int cameraCount = cameras.orElse(quick ? 2 : 12);
            int cycleCount = cycles.orElse(quick ? 3 : 100);
            String[] picture = size.split("x");
            if (cameraCount < 1 || cycleCount < 1 || picture.length != 2 || !picture[0].matches("[1-9][0-9]{1,4}")
                    || !picture[1].matches("[1-9][0-9]{1,4}") || !Set.of("tcp", "udp").contains(transport)) {
                throw new ParameterException(spec.commandLine(), "--cameras and --cycles must be at least 1, --size"
                        + " WxH (e.g. 640x360), --transport tcp or udp");
            }
            SoakBenchmark bench = new SoakBenchmark(Path.of(System.getProperty("virta.home", ".")).toAbsolutePath());
            io.virta.producer.daemon.FfmpegLog.quiet();
            Path clip = GstCamera.clip(bench.home, Integer.parseInt(picture[0]), Integer.parseInt(picture[1]), "1M");
            List<Sample> samples = bench.soak(clip, cameraCount, cycleCount, up, down, transport, reconnectSeconds);
            bench.report.heading("Soak benchmark", quick);
            bench.report.line(String.format(Locale.ROOT, "%d cameras (%sx%s H264 at 25 frames/s, RTSP over %s,"
                    + " reconnectSeconds %s, decoding to .yuv and .rgb), %d cycles of SIGKILL to gst-rtsp-server, %.1f s"
                    + " dead, restart on the same port, then %.1f s of streaming once every camera is back. Cycle 0 is the"
                    + " first connection.", cameraCount, picture[0], picture[1], transport.toUpperCase(Locale.ROOT),
                    fmt(reconnectSeconds), cycleCount, down, up));
            bench.report.line("");
            bench.table(samples);
            bench.summary(samples, cameraCount);
            bench.report.writeTo(out.file());
            return 0;
        }
    }

    private List<Sample> soak(Path clip, int cameras, int cycles, double up, double down, String transport,
            double reconnectSeconds) throws Exception {
        String prefix = "soak" + ProcessHandle.current().pid() + "x";
        List<Sample> samples = new ArrayList<>();
        GstCamera server = GstCamera.start(home, clip, 0);
        try {
            StringBuilder yaml = new StringBuilder("cameras:\n");
            for (int i = 0; i < cameras; i++) {
                yaml.append("  - { name: ").append(prefix).append(i).append(", url: \"").append(server.url())
                        .append("\", transport: ").append(transport).append(", reconnectSeconds: ")
                        .append(fmt(reconnectSeconds)).append(" }\n");
            }
            List<CameraWatch> watches = new ArrayList<>();
            try (Producer producer = new Producer(ProducerConfig.parse(yaml.toString(), "soak"), StreamEvents.NONE).start()) {
                for (int i = 0; i < cameras; i++) {
                    CameraWatch w = new CameraWatch(prefix + i + ".yuv", cycles + 1);
                    watches.add(w);
                    Thread.ofPlatform().daemon().name("soak-reader-" + i).start(w);
                }
                long readyNanos = System.nanoTime();
                for (int cycle = 0; cycle <= cycles; cycle++) {
                    long[] reconnect = awaitFirstFrames(watches, cycle, readyNanos);
                    Thread.sleep((long) (up * 1000));
                    server.kill();
                    samples.add(sample(cycle, reconnect, watches));
                    System.out.println(describe(samples.getLast()));
                    if (cycle == cycles) {
                        break;
                    }
                    Thread.sleep((long) (down * 1000));
                    for (CameraWatch w : watches) {
                        w.cycle = cycle + 1;
                    }
                    server = server.restart(home);
                    readyNanos = System.nanoTime();
                }
                topAllocators = topAllocators();
                for (CameraWatch w : watches) {
                    w.running = false;
                }
            }
        } finally {
            server.close();
        }
        return samples;
    }

    /** The live threads that allocated most on the heap, for the report: where a reader of it should look first. */
    private static String topAllocators() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        java.lang.management.ThreadInfo[] infos = threads.getThreadInfo(ids);
        List<String> rows = new ArrayList<>();
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(bytes[b], bytes[a]));
        for (int k = 0; k < Math.min(5, order.length); k++) {
            int i = order[k];
            if (infos[i] != null && bytes[i] > 0) {
                rows.add(infos[i].getThreadName() + " " + String.format(Locale.ROOT, "%.1f MB", bytes[i] / 1048576.0));
            }
        }
        return String.join(", ", rows);
    }

    /** Waits until every camera has delivered a frame in {@code cycle}; returns each one's time from {@code since}, in ms. */
    private static long[] awaitFirstFrames(List<CameraWatch> watches, int cycle, long since) throws InterruptedException {
        long giveUp = System.nanoTime() + RECONNECT_LIMIT.toNanos();
        long[] millis = new long[watches.size()];
        for (int i = 0; i < watches.size(); i++) {
            CameraWatch w = watches.get(i);
            while (w.firstNanos.get(cycle) == 0) {
                if (System.nanoTime() > giveUp) {
                    throw new IllegalStateException(w.channel + " delivered no frame within " + RECONNECT_LIMIT.toSeconds()
                            + " s of the server coming back (cycle " + cycle + ")");
                }
                Thread.sleep(5);
            }
            millis[i] = (w.firstNanos.get(cycle) - since) / 1_000_000;
        }
        return millis;
    }

    private static Sample sample(int cycle, long[] reconnect, List<CameraWatch> watches) throws IOException {
        long delivered = 0;
        long lost = 0;
        for (CameraWatch w : watches) {
            long published = w.lastSequence.get(cycle) - w.firstSequence.get(cycle) + 1;
            long sent = Math.round((w.lastCapture.get(cycle) - w.firstCapture.get(cycle)) * CLIP_FPS / 1e6) + 1;
            delivered += published;
            lost += Math.max(0, sent - published);
        }
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed();
            }
        }
        long fds;
        try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
            fds = list.count();
        }
        long gcs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs += Math.max(0, gc.getCollectionCount());
        }
        long allocated = ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
        return new Sample(cycle, status("VmRSS"), status("RssAnon"), direct, fds, status("Threads"), gcs, allocated,
                reconnect, delivered, lost);
    }

    /** A number field of /proc/self/status (kB for sizes). */
    private static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/self/status");
    }

    private static String describe(Sample s) {
        long[] r = s.reconnectMillis().clone();
        Arrays.sort(r);
        return String.format(Locale.ROOT, "cycle %d: RSS %.1f MB (anon %.1f), direct %.1f MB, %d fds, %d threads,"
                + " %d GCs, %.1f MB allocated on the heap so far, first frame after %d-%d ms, %d frames delivered, %d lost",
                s.cycle(), s.rssKb() / 1024.0, s.anonKb() / 1024.0, s.directBytes() / 1048576.0, s.fds(), s.threads(),
                s.gcs(), s.heapAllocated() / 1048576.0, r[0], r[r.length - 1],
                s.delivered(), s.lost());
    }

    private void table(List<Sample> samples) {
        report.line("| cycle | RSS (MB) | anonymous RSS (MB) | direct buffers (MB) | fds | threads | GCs so far | first frame"
                + " after restart, p50 / max (ms) | frames delivered | frames lost |");
        report.line("|---|---|---|---|---|---|---|---|---|---|");
        for (Sample s : samples) {
            if (!SHOWN.contains(s.cycle()) && s != samples.getLast()) {
                continue;
            }
            long[] r = s.reconnectMillis().clone();
            Arrays.sort(r);
            report.line(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %d | %d | %d | %s | %d | %d |", s.cycle(),
                    s.rssKb() / 1024.0, s.anonKb() / 1024.0, s.directBytes() / 1048576.0, s.fds(), s.threads(), s.gcs(),
                    s.cycle() == 0 ? "(first connection) " + r[(r.length - 1) / 2] + " / " + r[r.length - 1]
                            : r[(r.length - 1) / 2] + " / " + r[r.length - 1], s.delivered(), s.lost()));
        }
        report.line("");
    }

    private void summary(List<Sample> samples, int cameras) {
        Sample first = samples.size() > 1 ? samples.get(1) : samples.getFirst();
        Sample last = samples.getLast();
        Sample tenth = samples.get(Math.min(10, samples.size() - 1));
        int reconnects = (last.cycle() - first.cycle()) * cameras;
        double growthMb = (last.rssKb() - first.rssKb()) / 1024.0;
        TreeSet<Long> fds = new TreeSet<>();
        TreeSet<Long> threads = new TreeSet<>();
        List<Long> reconnect = new ArrayList<>();
        long delivered = 0;
        long lost = 0;
        for (Sample s : samples) {
            fds.add(s.fds());
            threads.add(s.threads());
            delivered += s.delivered();
            lost += s.lost();
            if (s.cycle() > 0) {
                for (long r : s.reconnectMillis()) {
                    reconnect.add(r);
                }
            }
        }
        reconnect.sort(null);
        report.line(String.format(Locale.ROOT, "RSS from cycle %d to %d: %+.1f MB (%+.1f %%), %+.0f kB per camera reconnect;"
                + " from cycle %d to %d: %+.1f %%. fds %d–%d, threads %d–%d.", first.cycle(), last.cycle(), growthMb,
                100.0 * (last.rssKb() - first.rssKb()) / first.rssKb(),
                reconnects == 0 ? 0 : (last.rssKb() - first.rssKb()) / (double) reconnects, tenth.cycle(), last.cycle(),
                100.0 * (last.rssKb() - tenth.rssKb()) / tenth.rssKb(), fds.first(), fds.last(), threads.first(),
                threads.last()));
        // Until a GC recycles eden, each new heap allocation touches fresh pages: RSS then grows by what the
        // JVM allocates, leak or not. Once a GC has run, RSS growth is what is really kept.
        Sample collected = samples.stream().filter(s -> s.gcs() > first.gcs()).findFirst().orElse(null);
        report.line(String.format(Locale.ROOT, "Java heap allocated per cycle (all threads, this benchmark's readers included):"
                + " %.2f MB.", (last.heapAllocated() - first.heapAllocated()) / 1048576.0 / Math.max(1,
                last.cycle() - first.cycle())) + (collected == null || collected == last ? " No GC ran after cycle "
                + first.cycle() + ", so RSS above includes the heap pages touched for the first time."
                : String.format(Locale.ROOT, " From cycle %d, the first after a GC, to %d: RSS %+.1f MB (%+.2f %%).",
                collected.cycle(), last.cycle(), (last.rssKb() - collected.rssKb()) / 1024.0,
                100.0 * (last.rssKb() - collected.rssKb()) / collected.rssKb())));
        report.line("Heap allocated over the whole run, by live thread: " + topAllocators + ".");
        if (!reconnect.isEmpty()) {
            report.line(String.format(Locale.ROOT, "Server ready to a camera's first decoded frame on the bus, over %d reconnects:"
                    + " p50 %d ms, p99 %d ms, max %d ms. Frames lost after that first frame: %d of %d.", reconnect.size(),
                    reconnect.get(reconnect.size() / 2), reconnect.get((int) (reconnect.size() * 0.99)),
                    reconnect.getLast(), lost, delivered + lost));
        }
        report.line("");
    }

    private static String fmt(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    /** Reads one camera's {@code .yuv} channel and keeps, per cycle, its first and last frame. */
    private static final class CameraWatch implements Runnable {
        final String channel;
        final AtomicLongArray firstNanos;
        final AtomicLongArray firstSequence;
        final AtomicLongArray lastSequence;
        final AtomicLongArray firstCapture;
        final AtomicLongArray lastCapture;
        volatile int cycle;
        volatile boolean running = true;

        CameraWatch(String channel, int cycles) {
            this.channel = channel;
            firstNanos = new AtomicLongArray(cycles);
            firstSequence = new AtomicLongArray(cycles);
            lastSequence = new AtomicLongArray(cycles);
            firstCapture = new AtomicLongArray(cycles);
            lastCapture = new AtomicLongArray(cycles);
        }

        @Override
        public void run() {
            try (ChannelReader reader = ChannelReader.builder(channel).awaitWriter(RECONNECT_LIMIT)
                    .start(ChannelReader.Start.NEXT).open()) {
                while (running) {
                    PullStatus status = reader.pull(PULL_TIMEOUT);
                    if (!status.hasFrame()) {
                        continue;
                    }
                    Frame frame = reader.frame();
                    int c = cycle;
                    if (firstNanos.get(c) == 0) {
                        firstSequence.set(c, frame.sequence());
                        firstCapture.set(c, frame.captureTimeMicros());
                        firstNanos.set(c, System.nanoTime());
                    }
                    lastSequence.set(c, frame.sequence());
                    lastCapture.set(c, frame.captureTimeMicros());
                }
            }
        }
    }
}
