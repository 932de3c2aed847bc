package io.virta.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.virta.recorder.export.ExportException;
import io.virta.recorder.export.ExportRequest;
import io.virta.recorder.export.ExportResult;
import io.virta.recorder.export.ExportSummary;
import io.virta.recorder.export.Exporter;
import io.virta.recorder.format.StoreLayout;
import io.virta.recorder.index.Coverage;
import io.virta.recorder.index.IndexException;
import io.virta.recorder.index.RecordingIndex;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;
import io.virta.recorder.index.Span;
import io.virta.recorder.store.Recovery;
import io.virta.recorder.store.RecoveryReport;
import io.virta.recorder.store.SegmentPolicy;
import io.virta.recorder.store.StoreLock;
import io.virta.recorder.store.StoreLockedException;
import io.virta.recorder.store.StoreView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code virta record ...}: what a store holds ({@code ls}), its video as MP4 or MKV files ({@code export},
 * {@link Exporter}), and whether it is intact ({@code check}, {@code check --repair}); docs/recording.md,
 * sections "Command line" and "Exporting". {@code ls}, {@code export} and {@code check} read through the
 * index read-only and take no lock, so they run beside the recorder writing the store; {@code --repair}
 * takes the store's lock.
 *
 * <pre>{@code
 * ./virta record ls --store /mnt/disk1/virta --camera lobby --from -1h
 * ./virta record check --store /mnt/disk1/virta
 * }</pre>
 */
@Command(name = "record", description = "Work with a recording store: ls (spans and gaps), export (MP4, MKV),"
        + " check (and --repair).",
        subcommands = {RecordCommand.Ls.class, RecordCommand.Export.class, RecordCommand.Check.class})
final class RecordCommand extends CommandGroup {
    /** Times as the commands print them: to the millisecond, with the offset of the clock's zone. */
    static final DateTimeFormatter MOMENT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT);

    /** A {@code virta record} command: prints to the run's console, reads "now" and its zone from the run's clock. */
    abstract static class OnStore implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--store", paramLabel = "DIR", description = "the store directory (required)")
        Optional<Path> store = Optional.empty();
        final Console console;
        final Clock clock;

        OnStore(Console console, Clock clock) {
            this.console = console;
            this.clock = clock;
        }

        Path store() {
            Path dir = store.orElseThrow(() -> UsageErrors.error(spec, "--store DIR is required (the recording"
                    + " store: the directory given to the recorder)"));
            if (!Files.isDirectory(dir)) {
                throw UsageErrors.error(spec, "--store " + dir + ": no such directory");
            }
            return dir;
        }

        String moment(long micros) {
            return RecordCommand.moment(micros, clock.getZone());
        }
    }

    @Command(name = "ls", description = "List each camera's recorded spans and the gaps between them.",
            customSynopsis = "virta record ls --store DIR [--camera C ...] [--from T] [--to T] [--json]",
            footer = {"T: ISO-8601 with an offset (2026-12-07T10:00:00+02:00, ...Z), or relative: now, -30s, -10m,"
                    + " -2h, -1d.",
                    "Default: every camera, over the whole store (its first frame to its last). Reads the index only;"
                            + " works while a recorder writes the store."})
    static final class Ls extends OnStore {
        @Option(names = "--camera", paramLabel = "C", description = "only this camera (repeatable)")
        List<String> cameras = new ArrayList<>();
        @Option(names = "--from", paramLabel = "T", description = "start of the range (default: the store's first frame)")
        Optional<Instant> from = Optional.empty();
        @Option(names = "--to", paramLabel = "T", description = "end of the range (default: the store's last frame)")
        Optional<Instant> to = Optional.empty();
        @Option(names = "--json", description = "print one JSON object instead of text")
        boolean json;

        Ls(Console console, Clock clock) {
            super(console, clock);
        }

        @Override
        public Integer call() {
            Path dir = store();
            if (from.isPresent() && to.isPresent() && to.get().isBefore(from.get())) {
                throw UsageErrors.error(spec, "--to " + to.get() + " is before --from " + from.get());
            }
            try (StoreView view = StoreView.open(dir)) {
                return list(view);
            } catch (IndexException e) {
                console.err().println("error: " + e.getMessage());
                return Virta.FAILED;
            }
        }

        /**
         * Per camera: the segments overlapping the range and their coverage. The index is asked per camera
         * and range, never for every row of the store: a month of 64 cameras is millions of segments.
         */
        private int list(StoreView view) {
            RecordingIndex index = view.index();
            List<String> chosen = cameras.isEmpty() ? view.cameras() : cameras;
            Map<String, List<SegmentRow>> newest = new LinkedHashMap<>();
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (String camera : chosen) {
                List<SegmentRow> rows = newestSegments(index, camera);
                newest.put(camera, rows);
                if (!rows.isEmpty()) {
                    last = Math.max(last, rows.stream().mapToLong(SegmentRow::endMicros).max().orElseThrow());
                    if (from.isEmpty()) { // the store's first frame: all of the camera's rows, once
                        first = Math.min(first, index.segments(camera, Long.MIN_VALUE, Long.MAX_VALUE).getFirst()
                                .startMicros());
                    }
                }
            }
            if (last == Long.MIN_VALUE) { // nothing recorded of these cameras: an empty range at now
                first = last = micros(clock.instant());
            }
            long fromMicros = from.map(RecordCommand::micros).orElse(first);
            long toMicros = to.map(RecordCommand::micros).orElse(Math.max(last, fromMicros));
            long maxGap = SegmentPolicy.DEFAULT.maxGap().toNanos() / 1000;
            List<CameraListing> listings = new ArrayList<>();
            for (String camera : chosen) {
                List<SegmentRow> inRange = index.segments(camera, fromMicros, toMicros);
                long bytes = 0;
                for (SegmentRow row : inRange) {
                    // A sealed file was cut to its records; an open one holds its preallocated space.
                    bytes += row.state() == SegmentState.SEALED ? row.recordsEnd() : fileSize(view.file(row));
                }
                Optional<SegmentRow> open = newest.get(camera).stream()
                        .filter(r -> r.state() == SegmentState.OPEN).reduce((a, b) -> b);
                listings.add(new CameraListing(camera, inRange, bytes, open,
                        index.coverage(camera, fromMicros, toMicros, maxGap)));
            }
            if (json) {
                printJson(view.directory(), fromMicros, toMicros, listings);
            } else {
                printText(view.directory(), fromMicros, toMicros, listings);
            }
            return 0;
        }

        /** The camera's newest segments: those from its newest keyframe's on (the open one is among them). */
        private static List<SegmentRow> newestSegments(RecordingIndex index, String camera) {
            return index.keyframeAtOrBefore(camera, Long.MAX_VALUE)
                    .map(keyframe -> index.segments(camera, keyframe.captureMicros(), Long.MAX_VALUE))
                    .orElse(List.of());
        }

        private record CameraListing(String camera, List<SegmentRow> segments, long bytes, Optional<SegmentRow> open,
                                     Coverage coverage) {
        }

        private void printText(Path dir, long fromMicros, long toMicros, List<CameraListing> listings) {
            PrintStream out = console.out();
            out.println("store " + dir + ": " + listings.size() + " camera(s), " + moment(fromMicros) + " to "
                    + moment(toMicros));
            for (CameraListing listing : listings) {
                SegmentRow newest = listing.segments().isEmpty() ? null : listing.segments().getLast();
                out.println(listing.camera() + ": " + listing.segments().size() + " segment(s), "
                        + bytes(listing.bytes())
                        + (newest == null ? "" : ", " + newest.codec().name().toLowerCase(Locale.ROOT)
                        + (newest.width() > 0 ? " " + newest.width() + "x" + newest.height() : ""))
                        + listing.open().map(r -> ", open segment " + StoreCheck.hex(r.id()) + " (recording since "
                        + moment(r.startMicros()) + ")").orElse(""));
                if (listing.coverage().spans().isEmpty()) {
                    out.println("  nothing recorded in the range");
                }
                for (Span[] entry : interleaved(listing.coverage())) {
                    Span span = entry[0] != null ? entry[0] : entry[1];
                    out.println(String.format(Locale.ROOT, "  %-8s %s .. %s  (%s)", entry[0] != null ? "recorded" : "gap",
                            moment(span.startMicros()), moment(span.endMicros()),
                            duration(span.endMicros() - span.startMicros())));
                }
            }
        }

        /** Spans ({@code [span, null]}) and gaps ({@code [null, gap]}) in time order. */
        private static List<Span[]> interleaved(Coverage coverage) {
            List<Span[]> entries = new ArrayList<>();
            coverage.spans().forEach(s -> entries.add(new Span[] {s, null}));
            coverage.gaps().forEach(g -> entries.add(new Span[] {null, g}));
            entries.sort((a, b) -> Long.compare((a[0] != null ? a[0] : a[1]).startMicros(),
                    (b[0] != null ? b[0] : b[1]).startMicros()));
            return entries;
        }

        private void printJson(Path dir, long fromMicros, long toMicros, List<CameraListing> listings) {
            JsonObject root = new JsonObject();
            root.addProperty("store", dir.toString());
            root.addProperty("from", moment(fromMicros));
            root.addProperty("to", moment(toMicros));
            root.addProperty("fromMicros", fromMicros);
            root.addProperty("toMicros", toMicros);
            JsonArray cameraArray = new JsonArray();
            for (CameraListing listing : listings) {
                JsonObject camera = new JsonObject();
                camera.addProperty("camera", listing.camera());
                camera.addProperty("segments", listing.segments().size());
                camera.addProperty("bytes", listing.bytes());
                if (listing.open().isPresent()) {
                    JsonObject open = new JsonObject();
                    open.addProperty("segment", StoreCheck.hex(listing.open().get().id()));
                    open.addProperty("file", listing.open().get().file());
                    open.addProperty("since", moment(listing.open().get().startMicros()));
                    camera.add("openSegment", open);
                } else {
                    camera.add("openSegment", JsonNull.INSTANCE);
                }
                camera.add("spans", spans(listing.coverage().spans()));
                camera.add("gaps", spans(listing.coverage().gaps()));
                cameraArray.add(camera);
            }
            root.add("cameras", cameraArray);
            console.out().println(new GsonBuilder().disableHtmlEscaping().create().toJson(root));
        }

        private JsonArray spans(List<Span> spans) {
            JsonArray array = new JsonArray();
            for (Span span : spans) {
                JsonObject entry = new JsonObject();
                entry.addProperty("start", moment(span.startMicros()));
                entry.addProperty("end", moment(span.endMicros()));
                entry.addProperty("startMicros", span.startMicros());
                entry.addProperty("endMicros", span.endMicros());
                array.add(entry);
            }
            return array;
        }
    }

    @Command(name = "export", description = "Write a range of recorded video to MP4 or MKV, without re-encoding, with a"
            + " SHA-256 manifest.",
            customSynopsis = {ExportOptions.SYNOPSIS_ONE, ExportOptions.SYNOPSIS_SEVERAL},
            footer = {"T: ISO-8601 with an offset (2026-12-07T10:00:00+02:00, ...Z), or relative: now, -30s, -10m,"
                    + " -2h, -1d.",
                    "Writes FILE, FILE.json (the manifest) and FILE.sha256 (sha256sum -c FILE.sha256); several cameras"
                            + " also SHA256SUMS in DIR. See docs/recording.md, Exporting."})
    static final class Export extends OnStore {
        @Mixin
        ExportOptions options = new ExportOptions();

        Export(Console console, Clock clock) {
            super(console, clock);
        }

        @Override
        public Integer call() throws IOException {
            Path dir = store();
            ExportOptions.Request request = options.request(spec);
            long from = micros(request.from());
            long to = micros(request.to());
            try (StoreView view = StoreView.open(dir)) {
                if (!request.toDirectory()) {
                    ExportRequest one;
                    try {
                        one = new ExportRequest(request.cameras().getFirst(), from, to, request.format());
                    } catch (IllegalArgumentException e) {
                        throw UsageErrors.error(spec, e.getMessage());
                    }
                    printWritten(Exporter.export(view, one, request.out()));
                    return 0;
                }
                Exporter.MultiExport all;
                try {
                    all = Exporter.exportAll(view, request.cameras(), from, to, request.format(), request.out());
                } catch (IllegalArgumentException e) {
                    throw UsageErrors.error(spec, e.getMessage());
                }
                all.files().forEach(this::printWritten);
                all.skipped().forEach(e -> console.out().println("skipped: " + e.getMessage()));
                console.out().println("checksums of every file: " + all.checksums() + " (cd " + all.directory()
                        + " && sha256sum -c " + all.checksums().getFileName() + ")");
                return 0;
            } catch (ExportException | IndexException e) {
                console.err().println("error: " + e.getMessage());
                return Virta.FAILED;
            }
        }

        private void printWritten(ExportResult result) {
            ExportSummary summary = result.summary();
            PrintStream out = console.out();
            out.println("exported " + summary.camera() + " " + moment(summary.firstCaptureMicros()) + " .. "
                    + moment(summary.lastCaptureMicros()) + ": " + summary.frames() + " frames, " + bytes(result.bytes())
                    + " to " + result.file());
            out.println("  manifest " + result.manifest() + ", checksums " + result.checksums() + " (sha256sum -c "
                    + result.checksums().getFileName() + ")");
            if (!summary.gaps().isEmpty()) {
                out.println("  " + summary.gaps().size() + " gap(s) inside the range, listed in the manifest");
            }
            if (summary.damage().any()) {
                out.println("  damage passed over: " + summary.damage().damagedRecords() + " damaged record(s), "
                        + summary.damage().framesDropped() + " frame(s) left out up to the next keyframe");
            }
            summary.notes().forEach(note -> out.println("  " + note));
        }
    }

    @Command(name = "check", description = "Verify every record of every segment against its checksum and the index.",
            customSynopsis = "virta record check --store DIR [--repair]",
            footer = {"Exit status: 0 intact, 1 something is wrong (the summary says what to do), 2 a usage mistake.",
                    "--repair (stop the store's recorder first): moves the index to damaged/index.sqlite.MILLIS and"
                            + " rebuilds it from the segment files; it never deletes video (docs/recording.md)."})
    static final class Check extends OnStore {
        @Option(names = "--repair", description = "rebuild the index from the segment files (takes the store's lock)")
        boolean repair;

        Check(Console console, Clock clock) {
            super(console, clock);
        }

        @Override
        public Integer call() throws IOException {
            Path dir = store();
            PrintStream out = console.out();
            StoreCheck.Result result = StoreCheck.run(dir);
            printFindings(result);
            if (!repair) {
                printAdvice(result);
                return result.clean() ? 0 : Virta.FAILED;
            }
            return repair(dir, out);
        }

        private void printFindings(StoreCheck.Result result) {
            PrintStream out = console.out();
            out.println("store " + result.store() + ": " + result.segmentFiles() + " segment file(s), "
                    + result.frames() + " frames, " + bytes(result.bytes())
                    + (result.openSegments() > 0 ? ", " + result.openSegments() + " open segment(s) read up to their"
                    + " last sync" : "")
                    + result.recorderPid().map(pid -> "; the recorder with pid " + pid + " holds it").orElse(""));
            for (StoreCheck.Problem problem : result.problems()) {
                out.println(problem.file() + ": " + problem.what());
            }
        }

        private void printAdvice(StoreCheck.Result result) {
            PrintStream out = console.out();
            if (result.clean()) {
                out.println("ok: every record is intact and the index matches the files");
                return;
            }
            out.println(result.problems().size() + " problem(s).");
            if (result.problems().stream().anyMatch(p -> p.kind() == StoreCheck.Kind.DAMAGED_RECORDS)) {
                out.println("Damaged records: their frames are lost, the rest of each file plays (readers and exports"
                        + " pass over the damage); nothing can restore them. Keep the files, and check the disk"
                        + " (dmesg, smartctl -a): damage in written video means bit rot or a failing disk.");
            }
            if (result.problems().stream().anyMatch(p -> p.kind().repairable())) {
                out.println("Index problems: stop the recorder of this store"
                        + result.recorderPid().map(pid -> " (pid " + pid + ")").orElse("")
                        + ", then run 'virta record check --store " + result.store() + " --repair': it rebuilds the"
                        + " index from the segment files (the next recorder start would fix the index too).");
            }
        }

        /** Moves the index aside and rebuilds it from the files (recovery adopts every one), under the lock. */
        private int repair(Path dir, PrintStream out) throws IOException {
            StoreLock lock;
            try {
                lock = StoreLock.acquire(dir);
            } catch (StoreLockedException e) {
                console.err().println("error: cannot repair: " + e.getMessage());
                return Virta.FAILED;
            }
            try (lock) {
                List<String> notes = new ArrayList<>();
                Path damaged = StoreLayout.damagedDirectory(dir);
                long now = clock.millis();
                for (String suffix : List.of("", "-wal", "-shm")) {
                    Path part = dir.resolve(StoreLayout.INDEX_FILE + suffix);
                    if (Files.exists(part)) {
                        Files.createDirectories(damaged);
                        Path aside = damaged.resolve(StoreLayout.INDEX_FILE + suffix + "." + now);
                        Files.move(part, aside);
                        notes.add("moved " + part + " to " + aside);
                    }
                }
                RecoveryReport report;
                try (RecordingIndex index = RecordingIndex.open(StoreLayout.indexFile(dir))) {
                    report = Recovery.run(dir, index, notes);
                }
                out.println("repair: " + report);
                report.notes().forEach(note -> out.println("  " + note));
            }
            StoreCheck.Result after = StoreCheck.run(dir);
            if (after.onlyDamagedRecords()) {
                out.println("repaired: the index was rebuilt from the segment files"
                        + (after.clean() ? "; every record is intact" : "; " + after.problems().size()
                        + " file(s) keep damaged records, which readers pass over (nothing can restore them)"));
                return 0;
            }
            out.println("after the repair, still wrong:");
            after.problems().stream().filter(p -> p.kind().repairable())
                    .forEach(p -> out.println(p.file() + ": " + p.what()));
            return Virta.FAILED;
        }
    }

    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException deletedMeanwhile) {
            return 0; // retention deleted it since the index was read
        }
    }

    /** 812.4 MB, 12.0 KB: decimal units, as the producer's status line. */
    static String bytes(long bytes) {
        if (bytes >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
        }
        if (bytes >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f KB", bytes / 1e3);
    }

    /** 1h02m, 41m10s, 19.8s. */
    static String duration(long micros) {
        long seconds = micros / 1_000_000;
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds / 60 % 60);
        }
        if (seconds >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%.1fs", micros / 1e6);
    }

    /** {@code micros} since the epoch as {@link #MOMENT} prints it in {@code zone}. */
    static String moment(long micros, ZoneId zone) {
        return MOMENT.format(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
                Math.floorMod(micros, 1_000_000) * 1000L).atZone(zone));
    }
}
