package io.virta.cli;

import io.virta.bus.BusShutdown;
import io.virta.bus.PixelFormat;
import io.virta.grpc.ClientSecurity;
import io.virta.grpc.GrpcTarget;
import io.virta.recorder.format.StoreLayout;
import io.virta.recorder.index.IndexException;
import io.virta.recorder.ingest.CameraChannel;
import io.virta.recorder.ingest.ChannelRecorder;
import io.virta.recorder.ingest.IngestOptions;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.retention.Amounts;
import io.virta.recorder.retention.RetentionPolicy;
import io.virta.recorder.retention.RetentionService;
import io.virta.recorder.store.SegmentPolicy;
import io.virta.worker.FrameSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code virta recorder}: the recorder as its own process, beside a running producer. It asks the
 * producer's control API (ListStreams) which cameras exist and the codec of each, records the encoded
 * channel ({@code CAMERA.h264}/{@code .h265}) of those chosen with {@code --camera} (default: all) into
 * its store(s), and asks again every {@code --poll-seconds}: a camera added (AddStream) starts recording, a
 * camera removed (RemoveStream) has its last segment sealed.
 *
 * <ul>
 *   <li><b>Stores:</b> each {@code --store} is opened with its lock and recovered
 *       (docs/recording-format.md sections 2.1 and 6); a store that another recorder holds stops the
 *       command at once with that recorder's pid. With several stores a camera goes to the store that
 *       already holds its video (the newest, if several do), so that recording resumes where it left off;
 *       a camera new to every store goes to the store with the most usable space at that moment.</li>
 *   <li><b>An unreachable producer</b> is waited for (one line when it goes, one when it is back); the
 *       cameras already recording keep recording, since their bus readers wait for their channels.</li>
 *   <li><b>Status:</b> every {@code --status-every} seconds one line per camera: state, frames and bytes
 *       written, lag behind the bus, frames lost and skipped, last sync, and its store's usage.</li>
 *   <li><b>SIGTERM</b> (or Ctrl-C) seals every camera's open segment, releases the stores and exits 0. A
 *       SIGKILL loses nothing handed to the kernel; the next start recovers and resumes.</li>
 * </ul>
 *
 * <p>Threads: the command's thread polls the producer and prints; one thread per camera records
 * ({@link ChannelRecorder}); the shutdown hook stops them. {@link Recordings} is synchronized between them.
 */
@Command(name = "recorder", description = "Record a running producer's cameras into recording stores (docs/recording.md).",
        customSynopsis = "virta recorder --store DIR [--store DIR2 ...] --control HOST:PORT [--camera C ...] [OPTIONS]",
        footer = {"environment: VIRTA_TOKEN or VIRTA_TOKEN_FILE (the control API's token), VIRTA_CA_FILE (TLS: the"
                + " server's CA)",
                "With several stores, a camera goes to the store that holds its video already, else to the one with the"
                        + " most usable space."})
final class RecorderCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--store", paramLabel = "DIR", description = "a store directory, created if missing (repeatable:"
            + " one per disk); required")
    List<Path> stores = new ArrayList<>();
    @Option(names = "--control", paramLabel = "HOST:PORT", defaultValue = FrameSource.DEFAULT_CONTROL,
            description = "the producer's control API (default ${DEFAULT-VALUE}; unix:PATH for its socket)")
    String control;
    @Option(names = "--camera", paramLabel = "C", description = "record only this camera (repeatable; default: every"
            + " camera of the producer, including those added later)")
    List<String> cameras = new ArrayList<>();
    @Option(names = "--sync-seconds", paramLabel = "S", defaultValue = "1",
            description = "force each camera's video to the disk at least every S seconds: what a power cut can lose"
                    + " (default ${DEFAULT-VALUE})")
    double syncSeconds;
    @Option(names = "--max-bytes", paramLabel = "SIZE", description = "retention: video of each store may use at"
            + " most SIZE (e.g. 2TiB); the oldest goes first (default: no budget)")
    String maxBytes;
    @Option(names = "--keep-free", paramLabel = "SIZE", description = "retention: keep SIZE free on each store's disk"
            + " (default 1GiB)")
    String keepFree;
    @Option(names = "--max-age", paramLabel = "AGE", description = "retention: delete video older than AGE (e.g. 30d;"
            + " default: never)")
    String maxAge;
    @Option(names = "--min-age", paramLabel = "AGE", description = "retention: never delete video younger than AGE,"
            + " and warn when a budget cannot be met (default 0)")
    String minAge;
    @Option(names = "--poll-seconds", paramLabel = "S", defaultValue = "3",
            description = "ask the producer for its cameras every S seconds (default ${DEFAULT-VALUE})")
    double pollSeconds;
    @Mixin
    RunLength run = new RunLength();

    @Override
    public Integer call() throws InterruptedException {
        if (stores.isEmpty()) {
            throw UsageErrors.error(spec, "--store DIR is required (where to record; repeat it for several disks)");
        }
        if (!(syncSeconds > 0 && syncSeconds <= 3600) || !(pollSeconds >= 0.1 && pollSeconds <= 3600)) {
            throw UsageErrors.error(spec, "--sync-seconds must be in (0, 3600] and --poll-seconds in [0.1, 3600]");
        }
        if (run.check() != null) {
            throw UsageErrors.error(spec, run.check());
        }
        GrpcTarget target;
        Set<String> only = new LinkedHashSet<>();
        try {
            target = GrpcTarget.parse(control, "--control");
            for (String camera : cameras) {
                only.add(new CameraChannel(camera, PixelFormat.H264).camera()); // checks the name
            }
        } catch (IllegalArgumentException e) {
            throw UsageErrors.error(spec, e.getMessage());
        }
        if (new LinkedHashSet<>(stores.stream().map(p -> p.toAbsolutePath().normalize()).toList()).size() != stores.size()) {
            throw UsageErrors.error(spec, "--store: the same directory is given twice");
        }
        try {
            // Read once, before any store is locked: a token file that cannot be read fails here, naming it.
            target = target.with(ClientSecurity.fromEnvironment());
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return Virta.FAILED;
        }
        RetentionPolicy retention;
        try {
            retention = retention();
        } catch (IllegalArgumentException e) {
            throw UsageErrors.error(spec, e.getMessage());
        }
        SegmentPolicy policy = SegmentPolicy.DEFAULT.withSync(Duration.ofNanos((long) (syncSeconds * 1e9)));
        List<RecordingStore> opened = new ArrayList<>();
        List<RetentionService> retentions = new ArrayList<>();
        for (Path dir : stores) {
            try {
                RecordingStore store = RecordingStore.open(dir, policy);
                opened.add(store);
                RetentionService deleting = RetentionService.open(store, retention, InstantSource.system());
                store.onSegmentsChanged(deleting::segmentsChanged);
                deleting.start();
                retentions.add(deleting);
                System.out.println("recorder: store " + dir + " opened; " + store.recovery());
                store.recovery().notes().forEach(note -> System.out.println("recorder:   " + note));
            } catch (IOException | RuntimeException e) {
                System.err.println("error: " + e.getMessage());
                retentions.forEach(RetentionService::close);
                closeAll(opened);
                return Virta.FAILED;
            }
        }
        Recordings recordings = new Recordings(opened, retentions, only, System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        BusShutdown.Registration hook = BusShutdown.first(() -> {
            System.out.println("recorder: shutting down (sealing every camera's segment)");
            recordings.close();
            System.out.println("recorder: stopped");
            System.out.flush();
            stopped.countDown();
            // A SIGTERM'd JVM exits with 143; the recorder stopped as asked, with everything sealed: say so.
            Runtime.getRuntime().halt(0);
        });
        try (ProducerStreams producer = new ProducerStreams(target)) {
            System.out.println("recorder: following the cameras of the producer at " + target
                    + (only.isEmpty() ? " (all of them)" : " (" + String.join(", ", only) + ")"));
            long pollNanos = (long) (pollSeconds * 1e9);
            long statusNanos = run.statusEvery > 0 ? (long) (run.statusEvery * 1e9) : Long.MAX_VALUE;
            long stopAt = run.seconds > 0 ? System.nanoTime() + (long) (run.seconds * 1e9) : Long.MAX_VALUE;
            long nextStatus = System.nanoTime() + statusNanos;
            boolean everAnswered = false;
            while (System.nanoTime() - stopAt < 0) {
                ProducerStreams.Answer answer = producer.list();
                if (answer instanceof ProducerStreams.Unreachable refused && refused.refused() && !everAnswered) {
                    System.err.println("error: " + refused.why());
                    hook.cancel();
                    recordings.close();
                    return Virta.FAILED;
                }
                everAnswered |= answer instanceof ProducerStreams.Cameras;
                recordings.follow(answer, producer.control());
                long wakeAt = Math.min(System.nanoTime() + pollNanos, stopAt);
                while (System.nanoTime() - wakeAt < 0) {
                    long untilStatus = nextStatus - System.nanoTime();
                    if (untilStatus <= 0) {
                        recordings.printStatus();
                        nextStatus += statusNanos;
                        continue;
                    }
                    long wait = Math.max(1, Math.min(wakeAt - System.nanoTime(), untilStatus)) / 1_000_000;
                    if (stopped.await(Math.max(1, wait), TimeUnit.MILLISECONDS)) {
                        return 0;
                    }
                }
            }
        }
        hook.cancel();
        recordings.close();
        System.out.println("recorder: stopped after " + run.seconds + " s; every segment sealed");
        return 0;
    }

    /** The retention the options ask for; every store gets the same. */
    private RetentionPolicy retention() {
        RetentionPolicy policy = RetentionPolicy.DEFAULT;
        if (maxBytes != null) {
            policy = policy.withMaxBytes(named("--max-bytes", () -> Amounts.bytes(maxBytes)));
        }
        if (keepFree != null) {
            policy = policy.withKeepFree(named("--keep-free", () -> Amounts.bytes(keepFree)));
        }
        if (maxAge != null) {
            policy = policy.withMaxAge(named("--max-age", () -> Amounts.age(maxAge)));
        }
        if (minAge != null) {
            policy = policy.withMinAge(named("--min-age", () -> Amounts.age(minAge)));
        }
        if (policy.minAge().compareTo(policy.maxAge()) > 0) {
            throw new IllegalArgumentException("--min-age " + minAge + " is longer than --max-age " + maxAge);
        }
        return policy;
    }

    private static <T> T named(String option, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    private static void closeAll(List<RecordingStore> stores) {
        for (RecordingStore store : stores) {
            try {
                store.close();
            } catch (IOException e) {
                System.err.println("recorder: closing " + store.directory() + ": " + e.getMessage());
            }
        }
    }

    /**
     * The cameras being recorded, each with its store: made to follow the producer's list of cameras.
     * Synchronized: the poller and the shutdown hook both use it.
     */
    static final class Recordings {
        private record Recording(ChannelRecorder recorder, RecordingStore store) {
        }

        private final List<RecordingStore> stores;
        private final Set<String> only;
        private final PrintStream out;
        private final Map<String, Recording> recording = new TreeMap<>();
        /** What was last said about the producer and about cameras not recorded, so each is said once. */
        private String producerNote = "";
        private final Set<String> noted = new LinkedHashSet<>();
        private boolean closed;

        private final List<RetentionService> retentions;

        Recordings(List<RecordingStore> stores, List<RetentionService> retentions, Set<String> only, PrintStream out) {
            this.stores = List.copyOf(stores);
            this.retentions = List.copyOf(retentions);
            this.only = Set.copyOf(only);
            this.out = out;
        }

        synchronized void follow(ProducerStreams.Answer answer, GrpcTarget control) {
            if (closed) {
                return;
            }
            switch (answer) {
                case ProducerStreams.Unreachable unreachable -> {
                    say("recorder: " + unreachable.why() + "; waiting for it"
                            + (recording.isEmpty() ? "" : " (the cameras already recording go on: their bus readers"
                            + " wait for their channels)"));
                }
                case ProducerStreams.Cameras producerCameras -> {
                    say("recorder: the producer at " + control + " has " + producerCameras.codecs().size()
                            + " camera(s)");
                    follow(producerCameras.codecs());
                }
            }
        }

        private void say(String note) {
            if (!note.equals(producerNote)) {
                producerNote = note;
                out.println(note);
            }
        }

        private void follow(Map<String, Optional<PixelFormat>> codecs) {
            for (String camera : List.copyOf(recording.keySet())) {
                Optional<PixelFormat> codec = codecs.getOrDefault(camera, Optional.empty());
                if (!codecs.containsKey(camera)) {
                    stop(camera, "removed from the producer");
                } else if (codec.isPresent() && codec.get() != recording.get(camera).recorder().channel().codec()) {
                    stop(camera, "now " + codec.get() + " instead of " + recording.get(camera).recorder().channel().codec());
                }
            }
            for (String wanted : only) {
                if (!codecs.containsKey(wanted) && noted.add("unknown " + wanted)) {
                    out.println("recorder: camera " + wanted + " is not a camera of the producer (yet); recording"
                            + " starts when it is added");
                }
            }
            for (Map.Entry<String, Optional<PixelFormat>> entry : codecs.entrySet()) {
                String camera = entry.getKey();
                if ((!only.isEmpty() && !only.contains(camera)) || recording.containsKey(camera)) {
                    continue;
                }
                if (entry.getValue().isEmpty()) {
                    if (noted.add("codec " + camera)) {
                        out.println("recorder: camera " + camera + " has not told its codec yet (no session so far);"
                                + " recording starts when it has");
                    }
                    continue;
                }
                start(new CameraChannel(camera, entry.getValue().get()));
            }
        }

        private void start(CameraChannel channel) {
            RecordingStore store = storeFor(channel.camera());
            ChannelRecorder recorder = new ChannelRecorder(store, channel, IngestOptions.DEFAULT);
            recorder.start();
            recording.put(channel.camera(), new Recording(recorder, store));
            noted.remove("codec " + channel.camera());
            noted.remove("unknown " + channel.camera());
            out.println("recorder: recording camera " + channel.camera() + " (" + channel.channelName() + ") into "
                    + store.directory());
        }

        private void stop(String camera, String why) {
            Recording gone = recording.remove(camera);
            gone.recorder().close(); // seals its segment
            out.println("recorder: camera " + camera + " " + why + "; its last segment is sealed");
        }

        /** The store that holds the camera's newest video, else the one with the most usable space. */
        RecordingStore storeFor(String camera) {
            if (stores.size() == 1) {
                return stores.getFirst();
            }
            Optional<RecordingStore> holding = stores.stream()
                    .filter(s -> s.index().keyframeAtOrBefore(camera, Long.MAX_VALUE).isPresent())
                    .max(Comparator.comparingLong(s -> s.index().keyframeAtOrBefore(camera, Long.MAX_VALUE)
                            .orElseThrow().captureMicros()));
            return holding.orElseGet(() -> stores.stream().max(Comparator.comparingLong(s -> usableSpace(s.directory())))
                    .orElseThrow());
        }

        synchronized void printStatus() {
            if (closed) {
                return;
            }
            long nowMicros = System.currentTimeMillis() * 1000;
            Map<Path, String> usage = new TreeMap<>();
            for (RecordingStore store : stores) {
                usage.put(store.directory(), bytes(segmentBytes(store.directory())) + " used, "
                        + bytes(usableSpace(store.directory())) + " free");
            }
            for (Map.Entry<String, Recording> entry : recording.entrySet()) {
                ChannelRecorder r = entry.getValue().recorder();
                Path store = entry.getValue().store().directory();
                out.println(String.format(Locale.ROOT, "%s: %s  %d frames  %s  lag %d  %d lost  %d skipped  %s  store %s"
                                + " (%s)", entry.getKey(), r.state().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                        r.framesWritten(), bytes(r.bytesWritten()), r.lag(), r.framesLost(), r.framesSkipped(),
                        r.lastSyncMicros() == 0 ? "not synced yet" : String.format(Locale.ROOT, "synced %.1f s ago",
                                (nowMicros - r.lastSyncMicros()) / 1e6), store, usage.get(store))
                        + (r.pauses() > 0 ? "  " + r.pauses() + " pauses" : "")
                        + r.problem().map(problem -> "  problem: " + problem).orElse("")
                        + retentionWarning(entry.getValue().store(), entry.getKey()));
            }
        }

        /** What the store's last retention pass warns of for {@code camera}, or nothing. */
        private String retentionWarning(RecordingStore store, String camera) {
            return retentions.get(stores.indexOf(store)).lastReport().concerning(camera, store.directory())
                    .map(concern -> "  " + concern).orElse("");
        }

        /** Stops every camera (sealing its segment) and closes the stores; later calls do nothing. */
        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            recording.values().forEach(r -> r.recorder().stop()); // all at once, then wait for each
            recording.values().forEach(r -> r.recorder().close());
            recording.clear();
            retentions.forEach(RetentionService::close); // before the indexes they read go
            closeAll(stores);
        }
    }

    /** Bytes of a store's segment files (preallocated ones at their full size): what its disk holds for it. */
    static long segmentBytes(Path store) {
        long total = 0;
        Path cameras = StoreLayout.camerasDirectory(store);
        try (DirectoryStream<Path> cameraDirectories = Files.newDirectoryStream(cameras, Files::isDirectory)) {
            for (Path camera : cameraDirectories) {
                try (DirectoryStream<Path> segments = Files.newDirectoryStream(camera, "*" + StoreLayout.SEGMENT_SUFFIX)) {
                    for (Path segment : segments) {
                        try {
                            total += Files.size(segment);
                        } catch (IOException deletedMeanwhile) {
                            // retention deleted it while we listed
                        }
                    }
                }
            }
        } catch (IOException noCamerasYet) {
            // a new store, or one whose directory vanished: the cameras pause and say so themselves
        }
        return total;
    }

    private static long usableSpace(Path store) {
        try {
            return Files.getFileStore(store).getUsableSpace();
        } catch (IOException gone) {
            return 0;
        }
    }

    private static String bytes(long bytes) {
        return RecordCommand.bytes(bytes);
    }
}
