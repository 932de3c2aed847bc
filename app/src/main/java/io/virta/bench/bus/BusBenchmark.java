package io.virta.bench.bus;

import io.virta.bench.BenchReport;

import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PullStatus;
import io.virta.bus.WritableFrame;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code virta bench bus}: the bus's speed goals, each measured side by side with its peer in one run.
 *
 * <ul>
 *   <li>Hand-off latency, commit to reader wake-up, between processes: a C pair doing the same POSIX
 *       semaphore hand-off (the floor), Java to Java, Java to C (a bus reader written in C from the
 *       spec, {@code bench/c/bus_reader.c}: the Java writer's share) and Java to Python; blocking and
 *       spin-then-block; every pair placed on CPUs the same way ({@link CpuPinning}).</li>
 *   <li>Throughput of 1080p RGB24 frames with 1 and 4 reader processes, against memcpy of the same frames.</li>
 *   <li>Reader CPU per frame at several frame sizes: zero copy means it does not grow with the size.</li>
 * </ul>
 */
public final class BusBenchmark {
    private static final int FRAME_1080P = 1920 * 1080 * 3;
    private static final Pattern JSON_NUMBER = Pattern.compile("\"(\\w+)\":([-0-9.]+)");

    private final Path home;
    private final boolean quick;
    private final Set<String> placementNames;
    private final Set<String> latencyReaders;
    private final BenchReport report = new BenchReport();
    private Path floorBinary;
    private Path readerBinary;

    private BusBenchmark(Path home, boolean quick, Set<String> placementNames, Set<String> latencyReaders) {
        this.home = home;
        this.quick = quick;
        this.placementNames = placementNames;
        this.latencyReaders = latencyReaders;
    }

    /** {@code virta bench bus}: the options, and the run. */
    @Command(name = "bus", description = "Bus hand-off latency and throughput, against a C floor and memcpy.",
            footer = "Needs gcc (for the C floor) and /usr/bin/python3 with numpy (for the Python reader).")
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--quick", description = "fewer samples (a smoke run, not figures to quote)")
        boolean quick;
        @Option(names = "--part", paramLabel = "PART", split = ",",
                description = "only these parts: latency, throughput, cost (default all three)")
        Set<String> parts = Set.of("latency", "throughput", "cost");
        @Option(names = "--placement", paramLabel = "P", split = ",",
                description = "latency pairs only so placed: cross-cpu, same-cpu, scheduler (default all)")
        Set<String> placements = Set.of("cross-cpu", "same-cpu", "scheduler");
        @Option(names = "--readers", paramLabel = "READER", split = ",",
                description = "latency readers: java, python, c (default all; the C floor always runs)")
        Set<String> readers = Set.of("java", "python", "c");
        @Mixin
        BenchReport.OutFile out;

        @Override
        public Integer call() throws Exception {
            for (String part : parts) {
                if (!Set.of("latency", "throughput", "cost").contains(part)) {
                    throw new ParameterException(spec.commandLine(), "unknown --part '" + part
                            + "': use latency, throughput or cost");
                }
            }
            BusBenchmark bench = new BusBenchmark(Path.of(System.getProperty("virta.home", ".")).toAbsolutePath(),
                    quick, placements, readers);
            bench.buildFloor();
            if (parts.contains("latency")) {
                bench.latency();
            }
            if (parts.contains("throughput")) {
                bench.throughput();
            }
            if (parts.contains("cost")) {
                bench.readerCostBySize();
            }
            bench.report.writeTo(out.file());
            return 0;
        }
    }

    private void buildFloor() throws Exception {
        Path dir = Files.createDirectories(home.resolve("bench/target"));
        floorBinary = dir.resolve("bus_floor");
        readerBinary = dir.resolve("bus_reader");
        compile("bus_floor.c", floorBinary);
        compile("bus_reader.c", readerBinary);
        report.heading("Bus benchmark", quick);
    }

    private void compile(String source, Path binary) throws Exception {
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(),
                home.resolve("bench/c").resolve(source).toString(), "-lpthread").inheritIO().start();
        if (gcc.waitFor() != 0) {
            throw new IllegalStateException("gcc could not build bench/c/" + source);
        }
    }

    // ---------------------------------------------------------------- latency

    private void latency() throws Exception {
        int count = quick ? 300 : 3000;
        report.line("### Hand-off latency, commit to reader wake-up (µs, one way, between processes)");
        report.line("");
        report.line("| placement | pair | mode | frames | p50 | p99 | p99.9 | max | p50 vs C floor |");
        report.line("|---|---|---|---|---|---|---|---|---|");
        List<CpuPinning> placements = (CpuPinning.available()
                ? List.of(CpuPinning.CROSS_CPU, CpuPinning.SAME_CPU, CpuPinning.SCHEDULER)
                : List.of(CpuPinning.SCHEDULER)).stream().filter(p -> placementNames.contains(p.option)).toList();
        for (CpuPinning placement : placements) {
            latencyRows(placement, false, count);
        }
        // Spinning only helps when the reader has a CPU of its own.
        if (!placements.isEmpty() && placements.getFirst() != CpuPinning.SAME_CPU) {
            latencyRows(placements.getFirst(), true, count);
        }
        report.line("");
    }

    private void latencyRows(CpuPinning placement, boolean spin, int count) throws Exception {
        int interval = spin ? 200 : 1000;
        int spinMicros = spin ? 1000 : 0;
        String mode = spin ? "spin ≤1 ms, then block; a frame every 200 µs" : "blocking; a frame every 1 ms";
        List<Object> floorArgs = new ArrayList<>(List.of("--count", count, "--interval-us", interval, "--spin-us", spinMicros));
        floorArgs.addAll(placement.floorArguments());
        Map<String, Double> floor = json(runFloor("latency", floorArgs.toArray()));
        latencyRow(placement, "C → C (floor)", mode, floor, floor);
        if (latencyReaders.contains("java")) {
            Map<String, Double> java = latencyViaBus(placement,
                    javaCommand("io.virta.cli.Virta", "bus", "latency", "--jit-warmup", quick ? "2000" : "20000"),
                    count, interval, spinMicros);
            latencyRow(placement, "Java → Java", mode, java, floor);
        }
        if (latencyReaders.contains("c")) {
            // The same writer, read by C: what is left over the floor is the Java writer's share.
            Map<String, Double> c = latencyViaBus(placement, new ArrayList<>(List.of(readerBinary.toString())), count,
                    interval, spinMicros);
            latencyRow(placement, "Java → C (bench/c/bus_reader.c)", mode, c, floor);
        }
        if (latencyReaders.contains("python")) {
            Map<String, Double> python = latencyViaBus(placement, pythonCommand("latency"), count, interval, spinMicros);
            latencyRow(placement, "Java → Python", mode, python, floor);
        }
        Map<String, Double> floorAgain = json(runFloor("latency", floorArgs.toArray()));
        latencyRow(placement, "C → C (floor, again)", mode, floorAgain, floorAgain);
    }

    private void latencyRow(CpuPinning placement, String pair, String mode, Map<String, Double> r,
            Map<String, Double> floor) {
        report.line(String.format(Locale.ROOT, "| %s | %s | %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.2f× |",
                placement.description, pair, mode, r.get("n"),
                r.get("p50_us"), r.get("p99_us"), r.get("p999_us"), r.get("max_us"), r.get("p50_us") / floor.get("p50_us")));
    }

    /** A writer here, paced like the C floor's; the reader is {@code readerCommand} in its own process. */
    private Map<String, Double> latencyViaBus(CpuPinning placement, List<String> readerCommand, int count,
            int intervalMicros, int spinMicros) throws Exception {
        String name = "bench.latency." + ProcessHandle.current().pid();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64).cells(64))) {
            placement.pinCurrentThread();
            List<String> command = placement.readerCommand(readerCommand);
            command.addAll(List.of(name, "--count", Integer.toString(count), "--spin-us", Integer.toString(spinMicros)));
            Process reader = start(command);
            awaitReaders(writer, 1, reader);
            long next = System.nanoTime();
            long interval = intervalMicros * 1000L;
            while (reader.isAlive()) {
                next += interval;
                while (next - System.nanoTime() > 100_000) {
                    java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime() - 60_000);
                }
                while (System.nanoTime() - next < 0) {
                    Thread.onSpinWait();
                }
                WritableFrame f = writer.claim();
                f.payloadSize(64);
                writer.commit();
            }
            return json(output(reader));
        } finally {
            CpuPinning.release();
        }
    }

    // ---------------------------------------------------------------- throughput

    private void throughput() throws Exception {
        int frames = quick ? 60 : 600;
        report.line("### Throughput of 1080p RGB24 frames (6,220,800 bytes), writer copying each frame into its cell");
        report.line("");
        report.line("| what | frames | frames/s | GB/s | vs memcpy | readers received / lost |");
        report.line("|---|---|---|---|---|---|");
        MemorySegment[] sources = frames(4, FRAME_1080P);
        double memcpy = memcpyRate(sources, frames);
        row("Java memcpy, same frames (peer)", frames, memcpy, memcpy, "-");
        Map<String, Double> c = json(runFloor("memcpy", "--size", FRAME_1080P, "--frames", frames, "--buffers", 8));
        row("C memcpy, same frames (reference)", frames, c.get("fps"), memcpy, "-");
        for (int readers : new int[] {1, 4}) {
            ThroughputResult r = busRate(sources, FRAME_1080P, frames, readers, 0);
            row("bus, " + readers + " reader process" + (readers > 1 ? "es" : ""), frames, r.fps, memcpy, r.readers);
        }
        double memcpyAfter = memcpyRate(sources, frames);
        row("Java memcpy, again", frames, memcpyAfter, memcpy, "-");
        report.line("");
    }

    private void row(String what, int frames, double fps, double memcpy, String readers) {
        report.line(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f× | %s |", what, frames, fps,
                fps * FRAME_1080P / 1e9, fps / memcpy, readers));
    }

    private static MemorySegment[] frames(int count, long size) {
        MemorySegment[] result = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            result[i] = Arena.ofAuto().allocate(size, 4096);
            result[i].fill((byte) (i + 1));
        }
        return result;
    }

    private static double memcpyRate(MemorySegment[] sources, int frames) {
        MemorySegment[] targets = frames(8, sources[0].byteSize());
        for (int i = 0; i < 16; i++) {
            MemorySegment.copy(sources[i % sources.length], 0, targets[i % 8], 0, sources[0].byteSize());
        }
        long start = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            MemorySegment.copy(sources[(i * 7 + 3) % sources.length], 0, targets[i % 8], 0, sources[0].byteSize());
        }
        return frames / ((System.nanoTime() - start) / 1e9);
    }

    private record ThroughputResult(double fps, String readers, List<Map<String, Double>> reports) {
    }

    /** Writes {@code frames} frames as fast as it can (or at {@code fps}) to {@code readers} reader processes. */
    private ThroughputResult busRate(MemorySegment[] sources, int size, int frames, int readers, double fps)
            throws Exception {
        String name = "bench.rate." + ProcessHandle.current().pid();
        List<Process> processes = new ArrayList<>();
        long elapsed;
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RGB24).size(1920, 1080)
                .capacity(size).cells(8))) {
            for (int i = 0; i < readers; i++) {
                processes.add(start(javaCommand(BusBenchmark.class.getName() + "$ThroughputReader", name)));
            }
            for (Process p : processes) {
                awaitReaders(writer, processes.size(), p);
            }
            // Steady state only: the reader JVMs compile their pull loop during these two seconds.
            long warm = System.nanoTime() + 2_000_000_000L;
            for (int i = 0; System.nanoTime() - warm < 0; i++) {
                writeFrame(writer, sources[i % sources.length], size, ThroughputReader.WARM_UP_STREAM);
                if (fps > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos((long) (1e9 / fps));
                }
            }
            long interval = fps > 0 ? (long) (1e9 / fps) : 0;
            long start = System.nanoTime();
            long next = start;
            for (int i = 0; i < frames; i++) {
                if (interval > 0) {
                    next += interval;
                    java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
                }
                writeFrame(writer, sources[(i * 7 + 3) % sources.length], size, ThroughputReader.WARM_UP_STREAM + 1);
            }
            elapsed = System.nanoTime() - start;
        }
        List<Map<String, Double>> reports = new ArrayList<>();
        StringBuilder summary = new StringBuilder();
        for (Process p : processes) {
            Map<String, Double> r = json(output(p));
            reports.add(r);
            summary.append(summary.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.0f / %.0f",
                    r.get("frames"), r.get("lost")));
        }
        return new ThroughputResult(frames / (elapsed / 1e9), summary.toString(), reports);
    }

    private static void writeFrame(ChannelWriter writer, MemorySegment source, long size, int streamId) {
        WritableFrame f = writer.claim();
        MemorySegment.copy(source, 0, f.payload(), 0, size);
        f.payloadSize(size).streamId(streamId);
        writer.commit();
    }

    private void readerCostBySize() throws Exception {
        int frames = quick ? 100 : 1000;
        report.line("### Reader cost per frame by frame size (1 reader process, writer at 500 frames/s)");
        report.line("");
        report.line("| frame size | frames received | reader thread CPU per frame (µs) |");
        report.line("|---|---|---|");
        for (int size : new int[] {64 * 1024, 1024 * 1024, FRAME_1080P}) {
            MemorySegment[] sources = frames(2, size);
            ThroughputResult r = busRate(sources, size, frames, 1, 500);
            Map<String, Double> reader = r.reports.getFirst();
            report.line(String.format(Locale.ROOT, "| %,d bytes | %.0f | %.2f |", size, reader.get("frames"),
                    reader.get("cpu_ns") / 1000.0 / Math.max(1, reader.get("frames"))));
        }
        report.line("");
    }

    // ---------------------------------------------------------------- processes

    private List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private List<String> pythonCommand(String tool) {
        return new ArrayList<>(List.of("/usr/bin/python3", "-m", "virta.bus.tools", tool));
    }

    private Process start(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("PYTHONPATH", home.resolve("python-client/src").toString());
        return pb.start();
    }

    private static void awaitReaders(ChannelWriter writer, int readers, Process process) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (writer.readerCount() < readers) {
            if (!process.isAlive() || System.nanoTime() > giveUp) {
                throw new IllegalStateException("a benchmark reader did not attach to '" + writer.name() + "'");
            }
            Thread.sleep(10);
        }
    }

    private String runFloor(String mode, Object... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(floorBinary.toString(), mode));
        for (Object a : args) {
            command.add(a.toString());
        }
        return output(start(command));
    }

    private static String output(Process process) throws Exception {
        String text;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            text = r.lines().reduce("", (a, b) -> b.isBlank() ? a : b);
        }
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("benchmark process " + process.info().command().orElse("?")
                    + " failed; last output: " + text);
        }
        return text;
    }

    static Map<String, Double> json(String line) {
        Map<String, Double> values = new java.util.HashMap<>();
        Matcher m = JSON_NUMBER.matcher(line);
        while (m.find()) {
            values.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return values;
    }

    /** A reader process for the throughput runs: touches each frame's first and last byte, measures its own CPU. */
    public static final class ThroughputReader {
        /** The writer tags warm-up frames with this stream id, and measured frames with another. */
        static final int WARM_UP_STREAM = 0;

        public static void main(String[] argv) {
            var threads = ManagementFactory.getThreadMXBean();
            long frames = 0;
            long checksum = 0;
            long cpuStart = threads.getCurrentThreadCpuTime();
            long lostAtStart = 0;
            try (ChannelReader reader = ChannelReader.builder(argv[0]).start(ChannelReader.Start.NEXT).open()) {
                while (true) {
                    PullStatus status = reader.pull(Duration.ofSeconds(30));
                    if (!status.hasFrame()) {
                        break;
                    }
                    frames++;
                    if (reader.frame().streamId() == WARM_UP_STREAM) {
                        // Frames of the writer's warm-up: restart the count until the measured run begins.
                        frames = 0;
                        lostAtStart = reader.lost();
                        cpuStart = threads.getCurrentThreadCpuTime();
                        continue;
                    }
                    MemorySegment payload = reader.frame().payload();
                    checksum += payload.get(ValueLayout.JAVA_BYTE, 0) + payload.get(ValueLayout.JAVA_BYTE, payload.byteSize() - 1);
                }
                long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
                System.out.println("{\"frames\":" + frames + ",\"lost\":" + (reader.lost() - lostAtStart) + ",\"cpu_ns\":" + cpu
                        + ",\"checksum\":" + checksum + "}");
            }
        }
    }
}
