package io.virta.bench.record;

import io.virta.bench.BenchReport;
import io.virta.recorder.Recorder;
import io.virta.recorder.export.ExportFormat;
import io.virta.recorder.export.ExportRequest;
import io.virta.recorder.export.Exporter;
import io.virta.recorder.format.StreamParameters;
import io.virta.recorder.index.KeyframePosition;
import io.virta.recorder.ingest.CameraChannel;
import io.virta.recorder.ingest.ChannelRecorder;
import io.virta.recorder.ingest.IngestOptions;
import io.virta.recorder.store.CameraWriter;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;
import io.virta.recorder.store.SegmentReader;
import io.virta.recorder.store.StoreView;
import io.virta.bus.PixelFormat;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code virta bench record}: the recorder against its goals (issue 15), each beside a peer in the same
 * run.
 *
 * <ul>
 *   <li><b>cpu</b>: CPU per recorded stream, 16 and 64 real 4 Mbit/s H264 streams on the bus, against
 *       one {@code ffmpeg -c copy -f segment} per camera fed the same clip (Frigate's way). Virta's
 *       figure is the CPU time of the recorder's threads (pull, write, index, sync); ffmpeg's that of its
 *       processes (parse, mux, write).</li>
 *   <li><b>load</b>: 64 streams for minutes on a loop-mounted ext4 disk, with a disk stall in the middle
 *       ({@code fsfreeze}): recorder CPU, write amplification ({@code /proc/self/io} write_bytes over
 *       payload bytes), frames lost, the largest lag.</li>
 *   <li><b>seek</b>: random moments in a synthetic 24-hour store of 16 cameras, from the request to the
 *       keyframe's GOP in memory, warm and with the page cache dropped; and the index's size per
 *       camera-hour.</li>
 * </ul>
 */
public final class RecordBenchmark {
    private static final StreamParameters SYNTHETIC = new StreamParameters(PixelFormat.H264, 1280, 720,
            new byte[] {0, 0, 0, 1, 0x67, 0x64, 0, 0x1f, 0, 0, 0, 1, 0x68, (byte) 0xee, 0x3c, (byte) 0x80});

    private final BenchReport report = new BenchReport();
    private final Path work;

    private final SegmentPolicy policy;

    private final IngestOptions ingest;

    private RecordBenchmark(Path work, SegmentPolicy policy, IngestOptions ingest) {
        this.work = work;
        this.policy = policy;
        this.ingest = ingest;
    }

    /** {@code virta bench record}: the options, and the run. */
    @Command(name = "record", description = {"Recorder: CPU per stream against ffmpeg -c copy -f segment, sustained"
            + " load with a disk stall, seek latency in a 24-hour store, index size."})
    public static final class Cli implements Callable<Integer> {
        @Option(names = "--part", paramLabel = "PART", split = ",",
                description = "cpu, load, kills, export, seek (default: cpu,export,seek; load takes --minutes,"
                        + " kills --kills)")
        List<String> parts = List.of("cpu", "export", "seek");
        @Option(names = "--streams", paramLabel = "N", split = ",", description = "cpu: stream counts (default 16,64)")
        List<Integer> streams = List.of(16, 64);
        @Option(names = "--seconds", paramLabel = "S", description = "cpu: seconds measured per run (default ${DEFAULT-VALUE})")
        int seconds = 30;
        @Option(names = "--sync-seconds", paramLabel = "S",
                description = "cpu and load: the recorder's syncSeconds (default ${DEFAULT-VALUE})")
        double syncSeconds = 1;
        @Option(names = "--batch-ms", paramLabel = "MS",
                description = "cpu and load: how long frames gather before the recorder wakes (default ${DEFAULT-VALUE})")
        long batchMillis = IngestOptions.DEFAULT_BATCH.toMillis();
        @Option(names = "--minutes", paramLabel = "M", description = "load: minutes (default ${DEFAULT-VALUE})")
        int minutes = 10;
        @Option(names = "--stall-seconds", paramLabel = "S", description = "load: disk stall (default ${DEFAULT-VALUE})")
        int stallSeconds = 10;
        @Option(names = "--kills", paramLabel = "K", description = "kills: SIGKILLs of the recorder (default ${DEFAULT-VALUE})")
        int kills = 100;
        @Option(names = "--ring-margin-seconds", paramLabel = "S",
                description = "load: the encoded rings hold the stall plus S seconds (default ${DEFAULT-VALUE})")
        int ringMarginSeconds = 10;
        @Option(names = "--hours", paramLabel = "H", description = "seek: hours of the synthetic store (default ${DEFAULT-VALUE})")
        int hours = 24;
        @Option(names = "--dir", paramLabel = "DIR", description = "where stores go (default: a new directory in /var/tmp)")
        Path dir;
        @Option(names = "--quick", description = "16 streams for 10 s, a 1-hour store: a smoke run, not figures to quote")
        boolean quick;
        @Mixin
        BenchReport.OutFile out;

        @Override
        public Integer call() throws Exception {
            Path work = Files.createTempDirectory(dir != null ? dir : Path.of("/var/tmp"), "virta-bench-record");
            RecordBenchmark bench = new RecordBenchmark(work, SegmentPolicy.DEFAULT.withSync(
                    Duration.ofMillis(Math.round(syncSeconds * 1000))),
                    IngestOptions.DEFAULT.withBatch(Duration.ofMillis(batchMillis)));
            try {
                bench.report.heading("Recorder benchmark", quick);
                RealClip clip = RealClip.make(work, 4, 4000);
                if (parts.contains("cpu")) {
                    bench.cpu(quick ? List.of(16) : streams, quick ? 10 : seconds, clip);
                }
                if (parts.contains("load")) {
                    bench.load(quick ? 16 : 64, quick ? 1 : minutes, stallSeconds, ringMarginSeconds, clip);
                }
                if (parts.contains("kills")) {
                    bench.kills(quick ? 10 : kills, 8, clip);
                }
                if (parts.contains("export")) {
                    bench.export(quick ? 2 : 10, clip);
                }
                if (parts.contains("seek")) {
                    bench.seek(16, quick ? 1 : hours);
                }
            } finally {
                deleteTree(work);
            }
            bench.report.writeTo(out.file());
            return 0;
        }
    }

    // ---------------------------------------------------------------- cpu

    private void cpu(List<Integer> counts, int seconds, RealClip clip) throws Exception {
        report.line("### CPU per recorded stream (real 720p H264 at %d kbit/s, 25 fps, %d s measured after 3 s;"
                + " Virta syncs every %.1f s, ffmpeg never; Virta's frames gather %d ms between wake-ups)", clip.bitrateKbps,
                seconds, policy.sync().toMillis() / 1000.0, ingest.batch().toMillis());
        report.line("");
        report.header("streams", "Virta recorder threads (% of a core per stream)", "ffmpeg -c copy -f segment (%)",
                "Virta / ffmpeg", "whole machine less the feeders: Virta (%)", "ffmpeg (%)", "Virta / ffmpeg",
                "frames lost (Virta)");
        for (int count : counts) {
            double[] virta = recorderCpuPerStream(count, seconds, clip);
            double[] ffmpeg = ffmpegCpuPerStream(count, seconds, clip);
            report.row(count, BenchReport.fixed(100 * virta[0], 3), BenchReport.fixed(100 * ffmpeg[0], 3),
                    BenchReport.ratio(virta[0], ffmpeg[0]), BenchReport.fixed(100 * virta[1], 3),
                    BenchReport.fixed(100 * ffmpeg[1], 3), BenchReport.ratio(virta[1], ffmpeg[1]), lostInLastRun);
        }
        report.line("");
        report.line("The first three columns count the CPU time of the recorder's threads and of the ffmpeg processes."
                + " Virta forces each camera's file every second and pays the kernel's writeback in its own threads;"
                + " ffmpeg never forces, and the kernel writes its files back on its own threads. The next three count"
                + " the whole machine's busy time (/proc/stat) over the same seconds, less the threads that publish or"
                + " feed the streams, so the writeback counts for both; they need an otherwise idle machine.");
        report.line("");
    }

    private long lostInLastRun;

    /**
     * CPU seconds per second per stream while the recorder records {@code count} streams: of its threads,
     * and of the whole machine less the publisher.
     */
    private double[] recorderCpuPerStream(int count, int seconds, RealClip clip) throws Exception {
        Path store = work.resolve("cpu-virta-" + count);
        try (BusCameras cameras = new BusCameras("rbench", count, 64, clip);
             Recorder recorder = Recorder.open(store, policy, cameras.names().stream()
                     .map(CameraChannel::h264).toList(), ingest)) {
            Thread.sleep(3000);
            double before = recorderThreadsCpu();
            double machineBefore = MachineCpu.busySeconds() - benchThreadsCpu();
            long lostBefore = lost(recorder);
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double used = recorderThreadsCpu() - before;
            double machine = MachineCpu.busySeconds() - benchThreadsCpu() - machineBefore;
            double elapsed = (System.nanoTime() - start) / 1e9;
            lostInLastRun = lost(recorder) - lostBefore;
            return new double[] {used / elapsed / count, machine / elapsed / count};
        } finally {
            deleteTree(store);
        }
    }

    private double[] ffmpegCpuPerStream(int count, int seconds, RealClip clip) throws Exception {
        Path dir = work.resolve("cpu-ffmpeg-" + count);
        try (FfmpegSegmenters ffmpeg = new FfmpegSegmenters(count, clip, dir)) {
            Thread.sleep(3000);
            double before = ffmpeg.cpuSeconds();
            double machineBefore = MachineCpu.busySeconds() - benchThreadsCpu();
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double used = ffmpeg.cpuSeconds() - before;
            double machine = MachineCpu.busySeconds() - benchThreadsCpu() - machineBefore;
            double elapsed = (System.nanoTime() - start) / 1e9;
            return new double[] {used / elapsed / count, machine / elapsed / count};
        } finally {
            deleteTree(dir);
        }
    }

    private static double recorderThreadsCpu() {
        var threads = ManagementFactory.getThreadMXBean();
        long nanos = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("recorder-")) {
                nanos += Math.max(0, threads.getThreadCpuTime(thread.threadId()));
            }
        }
        return nanos / 1e9;
    }

    /** CPU seconds of this JVM's threads that publish or feed the streams (not the recorder's work). */
    private static double benchThreadsCpu() {
        var threads = ManagementFactory.getThreadMXBean();
        long nanos = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("bench-")) {
                nanos += Math.max(0, threads.getThreadCpuTime(thread.threadId()));
            }
        }
        return nanos / 1e9;
    }

    /** Busy CPU seconds of the whole machine so far, from the first line of {@code /proc/stat}. */
    static final class MachineCpu {
        private MachineCpu() {
        }

        static double busySeconds() throws IOException {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < fields.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle and iowait
                    busy += Long.parseLong(fields[i]);
                }
            }
            return busy / 100.0;
        }
    }

    private static long lost(Recorder recorder) {
        return recorder.cameras().stream().mapToLong(ChannelRecorder::framesLost).sum();
    }

    // ---------------------------------------------------------------- load

    private void load(int count, int minutes, int stallSeconds, int ringMargin, RealClip clip) throws Exception {
        long payloadEstimate = (long) count * clip.bitrateKbps * 1000 / 8 * minutes * 60;
        Path mount = work.resolve("disk");
        Files.createDirectories(mount);
        Path image = work.resolve("disk.img");
        boolean ownDisk = LoopDisk.mount(image, payloadEstimate + payloadEstimate / 3 + (1L << 30), mount);
        String where = ownDisk ? "a loop-mounted ext4 disk" : "the work directory (no root: no loop disk, no stall)";
        // The ring rides out the stall and the backlog after it: when the disk comes back, the kernel first
        // writes back what queued meanwhile, and the recorders' syncs wait for that (a 16 s ring lost 409 and
        // 822 frames of 64 cameras' 10 s stall here; see docs/benchmarks.md).
        int cells = RealClip.FPS * (stallSeconds + ringMargin);
        report.line("### Sustained load: %d streams of %d kbit/s for %d min on %s, ring of %d cells, %d s disk stall"
                + " (fsfreeze) at half time", count, clip.bitrateKbps, minutes, where, cells, ownDisk ? stallSeconds : 0);
        report.line("");
        try {
            Path store = mount.resolve("store");
            long writtenBefore = ProcessIo.writeBytes();
            long maxLag = 0;
            long[] frozeFor = {0, 0};
            long publishedPayload;
            long recordedPayload;
            long lost;
            long skipped;
            double cpu;
            double elapsed;
            try (BusCameras cameras = new BusCameras("rload", count, cells, clip);
                 Recorder recorder = Recorder.open(store, policy, cameras.names().stream()
                         .map(CameraChannel::h264).toList(), ingest)) {
                long start = System.nanoTime();
                double cpuBefore = recorderThreadsCpu();
                long end = start + minutes * 60_000_000_000L;
                boolean stalled = !ownDisk;
                while (System.nanoTime() < end) {
                    Thread.sleep(200);
                    // The recorder's own lag is set when it writes a frame, so a stalled one would not show it.
                    long published = cameras.sequencePerCamera();
                    for (ChannelRecorder camera : recorder.cameras()) {
                        maxLag = Math.max(maxLag, published - camera.lastWrittenSequence() - 1);
                    }
                    if (!stalled && System.nanoTime() - start > (end - start) / 2) {
                        stalled = true;
                        frozeFor = LoopDisk.freeze(mount, Duration.ofSeconds(stallSeconds), () -> {
                            long now = cameras.sequencePerCamera();
                            long lag = 0;
                            for (ChannelRecorder camera : recorder.cameras()) {
                                lag = Math.max(lag, now - camera.lastWrittenSequence() - 1);
                            }
                            return lag;
                        });
                        maxLag = Math.max(maxLag, frozeFor[1]);
                    }
                }
                // Let the recorder catch up with what was published before the end.
                Thread.sleep(2000);
                elapsed = (System.nanoTime() - start) / 1e9;
                cpu = recorderThreadsCpu() - cpuBefore;
                publishedPayload = cameras.bytesPublished();
                recordedPayload = recorder.cameras().stream().mapToLong(ChannelRecorder::bytesWritten).sum();
                lost = lost(recorder);
                skipped = recorder.cameras().stream().mapToLong(ChannelRecorder::framesSkipped).sum();
            }
            long written = ProcessIo.writeBytes() - writtenBefore;
            report.header("figure", "value", "goal");
            report.row("recorder CPU, % of a core per stream", BenchReport.fixed(100 * cpu / elapsed / count, 3), "");
            report.row("payload published / recorded (MB)", (publishedPayload >> 20) + " / " + (recordedPayload >> 20), "");
            report.row("write amplification: disk bytes (/proc/self/io) / payload bytes",
                    BenchReport.fixed((double) written / recordedPayload, 3), "≤ 1.05");
            report.row("frames lost (ring overrun)", lost, "0");
            report.row("frames skipped (after a start or a loss, before a keyframe)", skipped, "");
            report.row("disk stall: the file system frozen (fsfreeze) for (s)", BenchReport.fixed(frozeFor[0] / 1e9, 1),
                    ownDisk ? stallSeconds + " s" : "no stall without root");
            report.row("largest lag behind the bus (frames, any camera; the stall's at its end)", maxLag, "< " + cells);
            report.line("");
        } finally {
            if (ownDisk) {
                LoopDisk.unmount(mount);
            }
            Files.deleteIfExists(image);
        }
    }

    // ---------------------------------------------------------------- kills

    /**
     * {@code kills} SIGKILLs of a recorder process while {@code cameras} streams are published: each
     * child records until a random moment (0.5 to 3 s after it is ready) and is killed; the next starts
     * at once. Then every frame a child reported appended must be in the store, intact, and, since a
     * restart shorter than the ring loses nothing (docs/recording-format.md section 9), every frame
     * published from the first recorded one on must be there.
     */
    private void kills(int kills, int cameras, RealClip clip) throws Exception {
        Path store = work.resolve("kills-store");
        java.util.Map<String, java.util.TreeSet<Long>> owed = new java.util.HashMap<>();
        SplittableRandom random = new SplittableRandom(42);
        long started = System.nanoTime();
        java.util.List<Double> restartSeconds = new ArrayList<>();
        try (BusCameras published = new BusCameras("rkill", cameras, 25 * 12, clip)) {
            published.names().forEach(name -> owed.put(name, new java.util.TreeSet<>()));
            for (int round = 0; round < kills; round++) {
                long spawn = System.nanoTime();
                Process child = childRecorder(store, published.names());
                var out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII));
                String line = out.readLine();
                if (!"ready".equals(line)) {
                    throw new IllegalStateException("the recorder child did not start: " + line);
                }
                restartSeconds.add((System.nanoTime() - spawn) / 1e9);
                long killAt = System.nanoTime() + 500_000_000L + random.nextLong(2_500_000_000L);
                Thread reader = Thread.ofPlatform().start(() -> {
                    try {
                        String printed;
                        while ((printed = out.readLine()) != null) {
                            int space = printed.indexOf(' ');
                            java.util.TreeSet<Long> camera = space > 0 ? owed.get(printed.substring(0, space)) : null;
                            if (camera == null || !printed.substring(space + 1).matches("[0-9]+")) {
                                continue; // the last line, torn by the kill: that frame's number never reached us
                            }
                            synchronized (owed) {
                                camera.add(Long.parseLong(printed.substring(space + 1)));
                            }
                        }
                    } catch (IOException ended) {
                        // the child was killed
                    }
                });
                Thread.sleep(Math.max(0, (killAt - System.nanoTime()) / 1_000_000));
                child.toHandle().destroyForcibly(); // SIGKILL
                child.waitFor();
                reader.join();
            }
            // One last recorder catches up with what the last kill left in the ring.
            Process last = childRecorder(store, published.names());
            Thread.sleep(3000);
            last.toHandle().destroyForcibly();
            last.waitFor();
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        long frames = 0;
        long missingOwed = 0;
        long missingAny = 0;
        long damaged;
        try (RecordingStore reopened = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
            damaged = reopened.recovery().damagedRecords();
            for (var camera : owed.entrySet()) {
                java.util.TreeSet<Long> stored = new java.util.TreeSet<>();
                for (var row : reopened.index().segments(camera.getKey(), Long.MIN_VALUE, Long.MAX_VALUE)) {
                    try (SegmentReader reader = SegmentReader.open(store.resolve(row.file()), SegmentReader.Mode.RESYNC)) {
                        while (reader.next()) {
                            stored.add(reader.sequence());
                        }
                    }
                }
                frames += stored.size();
                for (long sequence : camera.getValue()) {
                    if (!stored.contains(sequence)) {
                        missingOwed++;
                    }
                }
                if (!stored.isEmpty()) {
                    missingAny += stored.last() - stored.first() + 1 - stored.size();
                }
            }
        }
        restartSeconds.sort(null);
        report.line("### %d SIGKILLs of a recorder process under load (%d streams of %d kbit/s, %.1f min)",
                kills, cameras, clip.bitrateKbps, minutes);
        report.line("");
        report.header("figure", "value", "goal");
        report.row("frames in the store after the kills", frames, "");
        report.row("frames a child reported appended, missing from the store", missingOwed, "0");
        report.row("frames missing between the first and last recorded, any reason", missingAny,
                "0 (a restart shorter than the ring loses nothing)");
        report.row("damaged records found by recovery", damaged, "0");
        report.row("child start to recording, median (s)", BenchReport.fixed(
                restartSeconds.get(restartSeconds.size() / 2), 2), "");
        report.line("");
        deleteTree(store);
    }

    private static Process childRecorder(Path store, List<String> cameras) throws IOException {
        List<String> command = javaCommand(List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"),
                KillableRecorder.class.getName());
        command.addAll(List.of(store.toString(), "1000"));
        command.addAll(cameras);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** A child JVM's command line: this JVM's java, module and native-access flags and class path, then {@code main}. */
    private static List<String> javaCommand(List<String> options, String main) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--enable-native-access") || a.startsWith("--sun-misc-")
                        || a.startsWith("--add-")).toList());
        command.addAll(options);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        return command;
    }

    // ---------------------------------------------------------------- export

    /**
     * Export speed and the first byte of an HTTP export, on a store of {@code minutes} of the real clip
     * (one camera): {@code cat} of the range's segment files into a file, against an MP4 export of the same
     * range into a file on the same disk, both from a warm page cache (each run once unmeasured first);
     * and, from a real producer serving the store, the time from an HTTP request for the first 64 KiB of
     * the export to its first byte (the producer plans the export first: it reads every record of the
     * range).
     */
    private void export(int minutes, RealClip clip) throws Exception {
        Path store = work.resolve("export-store");
        String camera = "lobby";
        long start = (System.currentTimeMillis() - minutes * 60_000L - 60_000L) * 1000;
        long frames = minutes * 60L * RealClip.FPS;
        try (RecordingStore recording = RecordingStore.open(store, SegmentPolicy.DEFAULT.withSync(Duration.ofHours(1)));
             CameraWriter writer = recording.camera(camera)) {
            StreamParameters parameters = null;
            for (long i = 0; i < frames; i++) {
                int at = (int) (i % clip.units.size());
                byte[] unit = clip.units.get(at);
                if (parameters == null) {
                    parameters = new StreamParameters(PixelFormat.H264, 0, 0, clip.parameterSets());
                }
                writer.append(parameters, ByteBuffer.allocateDirect(unit.length).put(unit).flip(), start + i * 40_000,
                        i + 1, clip.keyframes[at] ? 1 : 0);
            }
        }
        long from = start;
        long to = start + frames * 40_000;
        List<Path> files = new ArrayList<>();
        long segmentBytes = 0;
        try (StoreView view = StoreView.open(store)) {
            for (var row : view.index().segments(camera, from, to)) {
                files.add(view.file(row));
                segmentBytes += Files.size(view.file(row));
            }
        }
        Path out = work.resolve("export-out");
        Files.createDirectories(out);
        double[] cat = new double[3];
        double[] catSynced = new double[3];
        double[] virta = new double[3];
        double[] bare = new double[3];
        double[] planning = new double[3];
        long exportBytes = 0;
        ExportRequest request = new ExportRequest(camera, from, to, ExportFormat.MP4);
        for (int round = 0; round < 3; round++) {
            cat[round] = run(files, out.resolve("cat.bin"), false);
            catSynced[round] = run(files, out.resolve("cat-synced.bin"), true);
            long t1 = System.nanoTime();
            try (StoreView view = StoreView.open(store)) {
                Exporter.export(view, request, out.resolve("lobby.mp4"));
                exportBytes = Files.size(out.resolve("lobby.mp4"));
            }
            virta[round] = (System.nanoTime() - t1) / 1e9;
            // The file alone, no manifest, not forced: planning, then the kernel copies the payloads.
            long t2 = System.nanoTime();
            try (StoreView view = StoreView.open(store);
                 var export = Exporter.plan(view, request);
                 var file = java.nio.channels.FileChannel.open(out.resolve("bare.mp4"),
                         java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
                planning[round] = (System.nanoTime() - t2) / 1e9;
                export.transferTo(0, export.length(), file);
            }
            bare[round] = (System.nanoTime() - t2) / 1e9;
            try (Stream<Path> made = Files.list(out)) {
                for (Path file : made.toList()) {
                    Files.delete(file);
                }
            }
        }
        double catSeconds = Math.min(cat[1], cat[2]);
        double catSyncedSeconds = Math.min(catSynced[1], catSynced[2]);
        double virtaSeconds = Math.min(virta[1], virta[2]);
        double bareSeconds = Math.min(bare[1], bare[2]);
        double planSeconds = Math.min(planning[1], planning[2]);
        double[] firstByte = httpFirstByte(store, camera, from, to, 5);
        report.line("### Export: %d min of one 4 Mbit/s camera (%d MB of segments, %d MB of MP4)", minutes,
                segmentBytes >> 20, exportBytes >> 20);
        report.line("");
        report.header("figure", "value", "goal");
        report.row("cat of the segment files into a file (s)", BenchReport.fixed(catSeconds, 3), "");
        report.row("cat, then sync of that file (s)", BenchReport.fixed(catSyncedSeconds, 3), "");
        report.row("MP4 export into a file, not forced, no manifest: planning, then the kernel copies (s)",
                BenchReport.fixed(bareSeconds, 3), "");
        report.row("  of which planning: every record read and checked, NAL units found (s)",
                BenchReport.fixed(planSeconds, 3), "");
        report.row("MP4 export as `virta record export` makes it: SHA-256 of every byte, forced, with manifest (s)",
                BenchReport.fixed(virtaSeconds, 3), "");
        report.row("export speed / cat speed, the file alone (bytes per second)", BenchReport.ratio(
                exportBytes / bareSeconds, segmentBytes / catSeconds), "≥ 0.8×");
        report.row("export speed / cat + sync speed, with hash and manifest", BenchReport.ratio(
                exportBytes / virtaSeconds, segmentBytes / catSyncedSeconds), "≥ 0.8×");
        report.row("HTTP export, request to first byte: the producer's first export (cold JIT) (ms)",
                BenchReport.fixed(firstByte[0], 1), "");
        report.row("HTTP export, request to first byte: a new range, after one export warmed it up (ms)",
                BenchReport.fixed(firstByte[1], 1), "≤ 200 ms");
        report.row("HTTP export, request to first byte: the same range again (planned export kept) (ms)",
                BenchReport.fixed(firstByte[2], 1), "");
        report.line("");
        deleteTree(store);
        deleteTree(out);
    }

    /** {@code cat} of {@code files} into {@code out} (then {@code sync out} when asked); seconds. The file is deleted. */
    private static double run(List<Path> files, Path out, boolean sync) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        List<String> command = new ArrayList<>(List.of("sh", "-c", "cat \"$@\" > " + out
                + (sync ? " && sync " + out : ""), "cat"));
        files.forEach(f -> command.add(f.toString()));
        new ProcessBuilder(command).inheritIO().start().waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Files.deleteIfExists(out);
        return seconds;
    }

    /**
     * Starts a producer that serves {@code store} over its web view and asks for the first 64 KiB of an
     * export: of the whole range (its first export), of the range less its first second (a new range,
     * planned again by a warmed-up producer), and of that range again (kept); ms to the first byte.
     */
    private double[] httpFirstByte(Path store, String camera, long from, long to, int requests) throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = work.resolve("export-producer.yaml");
        Files.writeString(config, "recording: { store: " + store + " }\nwebView: { listen: 127.0.0.1:" + port + " }\n"
                + "control: { listen: 127.0.0.1:0 }\ncameras:\n  - name: " + camera
                + "\n    url: rtsp://127.0.0.1:9/none\n    record: { enabled: true }\n");
        List<String> command = javaCommand(List.of(), "io.virta.cli.Virta");
        command.addAll(List.of("producer", "--config", config.toString()));
        Process producer = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            var client = java.net.http.HttpClient.newHttpClient();
            java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + port + "/export/" + camera + ".mp4?from="
                    + java.time.Instant.ofEpochSecond(0, from * 1000) + "&to=" + java.time.Instant.ofEpochSecond(0, to * 1000));
            long giveUp = System.nanoTime() + 60_000_000_000L;
            while (true) {
                try {
                    client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                            + "/api/recordings/" + camera)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
                    break;
                } catch (IOException notYet) {
                    if (System.nanoTime() > giveUp) {
                        throw new IOException("the producer serving the store did not answer on port " + port);
                    }
                    Thread.sleep(200);
                }
            }
            double[] ms = new double[requests];
            for (int i = 0; i < requests; i++) {
                if (i == 1) {
                    uri = java.net.URI.create("http://127.0.0.1:" + port + "/export/" + camera + ".mp4?from="
                            + java.time.Instant.ofEpochSecond(0, (from + 1_000_000) * 1000) + "&to="
                            + java.time.Instant.ofEpochSecond(0, to * 1000));
                }
                long t0 = System.nanoTime();
                var response = client.send(java.net.http.HttpRequest.newBuilder(uri).header("Range", "bytes=0-65535")
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
                try (var body = response.body()) {
                    if (response.statusCode() != 206 || body.read() < 0) {
                        throw new IOException("the export answered " + response.statusCode());
                    }
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                    body.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
            double[] again = Arrays.copyOfRange(ms, 2, ms.length);
            Arrays.sort(again);
            return new double[] {ms[0], ms[1], again[again.length / 2]};
        } finally {
            producer.destroy();
            producer.waitFor(30, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------- seek and index size

    private void seek(int cameras, int hours) throws Exception {
        Path store = work.resolve("seek-store");
        int keyframeBytes = 2000;
        int frameBytes = 200;
        long start = (System.currentTimeMillis() - hours * 3_600_000L) * 1000;
        long frames = hours * 3600L * RealClip.FPS;
        long building = System.nanoTime();
        SegmentPolicy policy = SegmentPolicy.DEFAULT.withSync(Duration.ofHours(1));
        try (RecordingStore recording = RecordingStore.open(store, policy)) {
            ByteBuffer payload = ByteBuffer.allocateDirect(keyframeBytes);
            SplittableRandom random = new SplittableRandom(7);
            while (payload.hasRemaining()) {
                payload.put((byte) (random.nextInt(255) + 1));
            }
            for (int c = 0; c < cameras; c++) {
                try (CameraWriter writer = recording.camera("seek-" + c)) {
                    for (long i = 0; i < frames; i++) {
                        boolean keyframe = i % RealClip.FPS == 0;
                        payload.limit(keyframe ? keyframeBytes : frameBytes).position(0);
                        writer.append(SYNTHETIC, payload, start + i * 40_000, i + 1, keyframe ? 1 : 0);
                    }
                }
            }
        }
        double buildSeconds = (System.nanoTime() - building) / 1e9;
        long indexBytes = 0;
        try (Stream<Path> files = Files.list(store)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("index.sqlite")).toList()) {
                indexBytes += Files.size(file);
            }
        }
        report.line("### Seek: %d cameras × %d h at 25 fps, a keyframe a second (frames of %d and %d bytes; built in %.0f s)",
                cameras, hours, keyframeBytes, frameBytes, buildSeconds);
        report.line("");
        report.header("seek, request to the keyframe's GOP in memory", "samples", "p50 (ms)", "p99 (ms)", "goal");
        try (StoreView view = StoreView.open(store)) {
            SplittableRandom random = new SplittableRandom(11);
            seekRun(view, cameras, start, frames, random, 200, false); // warm-up: not reported
            double[] warm = seekRun(view, cameras, start, frames, random, 1000, false);
            report.row("warm page cache", warm.length, ms(BenchReport.quantile(warm, 0.5)),
                    ms(BenchReport.quantile(warm, 0.99)), "≤ 20 ms");
            if (PageCache.canDrop()) {
                double[] cold = seekRun(view, cameras, start, frames, random, 100, true);
                report.row("page cache dropped before each seek", cold.length, ms(BenchReport.quantile(cold, 0.5)),
                        ms(BenchReport.quantile(cold, 0.99)), "≤ 150 ms");
            } else {
                report.row("page cache dropped before each seek", 0, "n/a (needs root)", "", "≤ 150 ms");
            }
        }
        report.line("");
        report.line("Index size: %d KB for %d camera-hours: **%.1f KB per camera-hour** at 25 fps and a keyframe a"
                + " second (goal ≤ 300 KB).", indexBytes >> 10, cameras * hours, indexBytes / 1024.0 / (cameras * hours));
        report.line("");
        deleteTree(store);
    }

    private static String ms(double nanos) {
        return BenchReport.fixed(nanos / 1e6, 2);
    }

    private static double[] seekRun(StoreView view, int cameras, long start, long frames, SplittableRandom random,
                                    int samples, boolean cold) throws IOException, InterruptedException {
        double[] nanos = new double[samples];
        byte[] gop = new byte[1 << 20];
        for (int s = 0; s < samples; s++) {
            String camera = "seek-" + random.nextInt(cameras);
            long moment = start + 60_000_000L + (long) (random.nextDouble() * (frames * 40_000L - 61_000_000L));
            if (cold) {
                PageCache.drop();
            }
            long t0 = System.nanoTime();
            KeyframePosition at = view.index().keyframeAtOrBefore(camera, moment).orElseThrow();
            int held = 0;
            try (SegmentReader reader = view.openSegment(at.segmentId())) {
                reader.seek(at.offset());
                while (reader.next() && reader.captureTimeMicros() <= moment) {
                    int length = reader.payloadLength();
                    if (held + length > gop.length) {
                        gop = Arrays.copyOf(gop, 2 * (held + length));
                    }
                    reader.payload().get(0, gop, held, length);
                    held += length;
                }
            }
            nanos[s] = System.nanoTime() - t0;
        }
        return nanos;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Runs a command to its end; its exit status. */
    static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor(60, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    /** A loop-mounted ext4 file system for the store: a disk of its own, which fsfreeze can stall. */
    static final class LoopDisk {
        private LoopDisk() {
        }

        static boolean mount(Path image, long bytes, Path mount) throws IOException, InterruptedException {
            if (!"root".equals(System.getProperty("user.name"))) {
                return false;
            }
            try (var file = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                file.write(ByteBuffer.allocate(1), bytes - 1); // sparse
            }
            return run("mkfs.ext4", "-q", "-F", image.toString()) == 0
                    && run("mount", "-o", "loop", image.toString(), mount.toString()) == 0;
        }

        /**
         * Freezes the file system for {@code stall}: every write to it blocks meanwhile. Returns how long
         * it was frozen (ns, 0 if it could not be) and {@code lag} read just before it thaws.
         */
        static long[] freeze(Path mount, Duration stall, java.util.function.LongSupplier lag)
                throws IOException, InterruptedException {
            // fsfreeze writes back every dirty page before it freezes, which here (a loop device on a virtual
            // disk, a minute of 64 streams in the page cache) takes seconds with writers blocked: flush first.
            run("sync", "-f", mount.toString());
            if (run("fsfreeze", "-f", mount.toString()) != 0) {
                return new long[] {0, 0};
            }
            long frozen = System.nanoTime();
            Thread.sleep(stall.toMillis());
            long lagAtEnd = lag.getAsLong();
            run("fsfreeze", "-u", mount.toString());
            return new long[] {System.nanoTime() - frozen, lagAtEnd};
        }

        static void unmount(Path mount) throws IOException, InterruptedException {
            run("umount", mount.toString());
        }
    }

    /** Dropping the page cache (root only) for cold reads. */
    static final class PageCache {
        private static final Path DROP = Path.of("/proc/sys/vm/drop_caches");

        private PageCache() {
        }

        static boolean canDrop() {
            return Files.isWritable(DROP);
        }

        static void drop() throws IOException, InterruptedException {
            run("sync");
            Files.writeString(DROP, "1");
        }
    }

    /** Bytes this process caused to be written to storage, from {@code /proc/self/io}. */
    static final class ProcessIo {
        private ProcessIo() {
        }

        static long writeBytes() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("write_bytes:")) {
                    return Long.parseLong(line.substring("write_bytes:".length()).trim());
                }
            }
            return 0;
        }
    }
}
