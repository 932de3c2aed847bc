package io.virta.bench.producer;

import io.virta.bench.BenchReport;

import io.virta.testkit.GstCamera;

import io.virta.producer.supervise.JvmLaunch;
import io.virta.producer.supervise.WorkerCommandLine;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code virta bench rtsp-server}: what the producer's RTSP server costs per client, against
 * gst-rtsp-server re-serving the same camera to the same clients in the same run.
 *
 * <p>One camera (gst-rtsp-server looping a 1080p25 H264 clip, {@link GstCamera}) is read by a Virta
 * producer in its own process ({@code decode: false}, {@code rtspServer:} on) and by a gst-rtsp-server
 * relay ({@code bench/rtsp/gst_relay.py}: one shared media, depayload and payload again, no
 * re-encoding). N {@code ffmpeg -c copy -f null} clients play one server, then the same N the other.
 * The server process's CPU time ({@code /proc/<pid>/stat}) is taken over a fixed window; the cost of
 * reading the camera with no client (the producer with no client; the relay's chain into a fakesink)
 * is subtracted and the rest divided by N. Each client's frames are counted over the window, so a
 * server that drops frames to look cheap shows it.
 */
public final class RtspServerBenchmark {
    /** Named, not referred to: the command line depends on the benchmarks, not the other way round. */
    private static final String VIRTA_MAIN = "io.virta.cli.Virta";

    private static final double SOURCE_FPS = 25;
    private static final int TICKS_PER_SECOND = 100; // USER_HZ
    private static final int WARMUP_CLIENTS = 4;

    private final Path home;
    private final double seconds;
    private final double settle;
    private final BenchReport report = new BenchReport();

    private RtspServerBenchmark(Path home, double seconds, double settle) {
        this.home = home;
        this.seconds = seconds;
        this.settle = settle;
    }

    /** {@code virta bench rtsp-server}: the options, and the run. */
    @Command(name = "rtsp-server", description = {"CPU per client of re-serving a camera over RTSP to 1, 10 and 50"
            + " clients, against gst-rtsp-server serving the same camera to the same clients."},
            footer = "Needs ffmpeg and gst-rtsp-server (scripts/install-deps.sh installs them).")
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--clients", paramLabel = "LIST",
                description = "numbers of concurrent clients to measure (default 1,10,50)")
        Optional<String> clients = Optional.empty();
        @Option(names = "--seconds", paramLabel = "S", description = "measuring window per server and client count"
                + " (default 10)")
        Optional<Double> seconds = Optional.empty();
        @Option(names = "--settle", paramLabel = "S", description = "time clients play before the window opens"
                + " (default 5)")
        Optional<Double> settle = Optional.empty();
        @Option(names = "--warmup", paramLabel = "S", description = "time the producer serves 4 unmeasured clients"
                + " before anything is measured, so the JIT has compiled its packet path as in a long-running daemon"
                + " (default 20)")
        Optional<Double> warmup = Optional.empty();
        @Option(names = "--quick", description = "1 client, 2 s windows: a smoke run, not figures to quote")
        boolean quick;
        @Mixin
        BenchReport.OutFile out;

        @Override
        public Integer call() throws Exception {
            int[] counts;
            try {
                counts = clientCounts(clients.orElse(quick ? "1" : "1,10,50"));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            Path home = Path.of(System.getProperty("virta.home", ".")).toAbsolutePath();
            RtspServerBenchmark bench = new RtspServerBenchmark(home, seconds.orElse(quick ? 2.0 : 10.0),
                    settle.orElse(quick ? 2.0 : 5.0));
            try (GstCamera camera = GstCamera.start(home);
                    Server virta = bench.startProducer(camera.url());
                    Server gst = bench.startRelay(camera.url(), false)) {
                bench.awaitPlayable(virta.url);
                bench.warmUp(virta, warmup.orElse(quick ? 1.0 : 20.0));
                bench.report.heading("RTSP server benchmark", quick);
                bench.measure(camera.url(), virta, gst, counts);
            }
            bench.report.writeTo(out.file());
            return 0;
        }
    }

    /**
     * Serves clients for the warm-up time, unmeasured: without clients the JIT never compiles the
     * serving path, and the first measured window (one client) would pay for the compilation.
     */
    private void warmUp(Server server, double warmup) throws Exception {
        List<Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < WARMUP_CLIENTS; i++) {
                clients.add(Client.start(server.url));
            }
            Thread.sleep((long) (warmup * 1000));
        } finally {
            stopAll(clients);
        }
    }

    static int[] clientCounts(String list) {
        try {
            int[] counts = Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            if (counts.length == 0 || Arrays.stream(counts).anyMatch(n -> n < 1 || n > 500)) {
                throw new NumberFormatException();
            }
            return counts;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--clients '" + list + "': give client counts from 1 to 500, comma-separated, e.g. 1,10,50");
        }
    }

    private void measure(String cameraUrl, Server virta, Server gst, int[] counts) throws Exception {
        Window virtaIdle = window(virta, 0);
        Window gstIdle;
        try (Server ingestOnly = startRelay(cameraUrl, true)) {
            Thread.sleep((long) (settle * 1000));
            gstIdle = window(ingestOnly, 0);
        }
        report.line("### CPU per client of re-serving one 1080p25 H264 camera over RTSP/TCP (" + seconds + " s windows)");
        report.line("");
        report.line("Baseline, reading the camera with no client: Virta producer (decode off) " + cpu(virtaIdle.cpu)
                + " s/s; gst-rtsp-server's chain (rtspsrc ! rtph264depay ! h264parse ! rtph264pay) into a fakesink "
                + cpu(gstIdle.cpu) + " s/s.");
        report.line("");
        report.line("| clients | server | CPU (s/s) | above baseline (s/s) | per client (ms/s) | frames per client, min / mean (of "
                + Math.round(SOURCE_FPS * seconds) + ") | per client vs gst |");
        report.line("|---|---|---|---|---|---|---|");
        for (int n : counts) {
            Window v = window(virta, n);
            Window g = window(gst, n);
            double vPer = (v.cpu - virtaIdle.cpu) / n;
            double gPer = (g.cpu - gstIdle.cpu) / n;
            row(n, "**Virta producer**", v, virtaIdle, vPer / gPer);
            row(n, "gst-rtsp-server, shared media (peer)", g, gstIdle, 1.0);
        }
        report.line("");
    }

    private void row(int n, String server, Window w, Window idle, double ratio) {
        double above = w.cpu - idle.cpu;
        report.line(String.format(Locale.ROOT, "| %d | %s | %s | %s | %.2f | %d / %.0f | %.2f× |", n, server, cpu(w.cpu), cpu(above),
                above * 1000 / n, w.minFrames(), w.meanFrames(), ratio));
    }

    private static String cpu(double secondsPerSecond) {
        return String.format(Locale.ROOT, "%.3f", secondsPerSecond);
    }

    /** CPU of {@code server} while {@code n} clients play it, and the frames each client got, over one window. */
    private Window window(Server server, int n) throws Exception {
        List<Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                clients.add(Client.start(server.url));
            }
            if (n > 0) {
                Thread.sleep((long) (settle * 1000));
            }
            long[] frames0 = clients.stream().mapToLong(c -> c.frames.get()).toArray();
            long ticks0 = cpuTicks(server.process.pid());
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long ticks = cpuTicks(server.process.pid()) - ticks0;
            long wall = System.nanoTime() - t0;
            long[] frames = new long[n];
            for (int i = 0; i < n; i++) {
                Client c = clients.get(i);
                if (!c.process.isAlive()) {
                    throw new IllegalStateException(server.name + ": a client exited early (" + c.process.exitValue() + ")");
                }
                frames[i] = c.frames.get() - frames0[i];
                if (frames[i] == 0) {
                    throw new IllegalStateException(server.name + ": a client of " + n + " received no frame in " + seconds + " s");
                }
            }
            return new Window((double) ticks / TICKS_PER_SECOND / (wall / 1e9), frames);
        } finally {
            stopAll(clients);
        }
    }

    private static void stopAll(List<Client> clients) throws InterruptedException {
        for (Client c : clients) {
            c.process.destroy();
        }
        for (Client c : clients) {
            if (!c.process.waitFor(5, TimeUnit.SECONDS)) {
                c.process.destroyForcibly();
            }
        }
    }

    private record Window(double cpu, long[] frames) {
        long minFrames() {
            return Arrays.stream(frames).min().orElse(0);
        }

        double meanFrames() {
            return Arrays.stream(frames).average().orElse(0);
        }
    }

    /** utime + stime of one process, in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** Waits until {@code url} plays: the producer has read the camera's first frame and mounted it. */
    private void awaitPlayable(String url) throws Exception {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Process probe = new ProcessBuilder("ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_entries",
                    "stream=codec_name", "-of", "csv=p=0", url).redirectErrorStream(true).start();
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (probe.waitFor() == 0 && out.contains("h264")) {
                return;
            }
            if (System.nanoTime() > giveUp) {
                throw new IllegalStateException("the producer did not serve " + url + " within 60 s: " + out.trim());
            }
            Thread.sleep(500);
        }
    }

    // ---------------------------------------------------------------- servers and clients

    /** A server process under test and the URL its clients play. */
    private record Server(String name, Process process, String url) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            process.getOutputStream().close(); // the relay's --exit-with-stdin
            process.destroy(); // the producer's shutdown hook tears down cleanly
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private Server startProducer(String cameraUrl) throws Exception {
        Path config = Files.createTempFile("virta-bench-rtsp-server", ".yaml");
        config.toFile().deleteOnExit();
        String camera = "benchrtsp" + ProcessHandle.current().pid();
        // Up to 500 clients are measured: more than the server's default cap of 256 connections.
        Files.writeString(config, "control: { listen: 127.0.0.1:0 }\n"
                + "rtspServer: { listen: 127.0.0.1:0, maxConnections: 1000 }\ncameras:\n"
                + "  - { name: " + camera + ", url: \"" + cameraUrl + "\", transport: tcp, decode: false }\n");
        List<String> producer = JvmLaunch.likeThisJvm(VIRTA_MAIN)
                .command(List.of("producer", "--config", config.toString(), "--status-every", "0"));
        Process p = new ProcessBuilder(WorkerCommandLine.dyingWithThisProcess(producer))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        // "producer: RTSP server re-serving the cameras at rtsp://127.0.0.1:PORT/<camera>"
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String prefix = "producer: RTSP server re-serving the cameras at ";
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(prefix)) {
                drain(out);
                return new Server("Virta producer", p, line.substring(prefix.length()).replace("<camera>", camera));
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("the producer exited before serving (config " + config + ")");
    }

    private Server startRelay(String cameraUrl, boolean ingestOnly) throws Exception {
        Path script = home.resolve("bench/rtsp/gst_relay.py");
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), "--source", cameraUrl,
                "--exit-with-stdin"));
        if (ingestOnly) {
            command.add("--ingest-only");
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int port = GstCamera.awaitReady(p, script);
        return new Server("gst-rtsp-server", p, "rtsp://127.0.0.1:" + port + "/relay");
    }

    /** Keeps a child's stdout flowing, so that it never blocks on a full pipe. */
    private static void drain(BufferedReader out) {
        CompletableFuture.runAsync(() -> {
            try {
                while (out.readLine() != null) {
                    // discarded
                }
            } catch (IOException e) {
                // the child exited
            }
        });
    }

    /** {@code ffmpeg -c copy -f null} over TCP, its frame count read from its {@code -progress} lines. */
    private record Client(Process process, AtomicLong frames) {
        static Client start(String url) throws IOException {
            Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1",
                    "-stats_period", "0.25", "-rtsp_transport", "tcp", "-i", url, "-c", "copy", "-f", "null", "-")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Client client = new Client(p, new AtomicLong());
            Thread.ofVirtual().start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        if (line.startsWith("frame=")) {
                            client.frames.set(Long.parseLong(line.substring(6).trim()));
                        }
                    }
                } catch (IOException | NumberFormatException e) {
                    // the client exited; its count stays where it was
                }
            });
            return client;
        }
    }
}
