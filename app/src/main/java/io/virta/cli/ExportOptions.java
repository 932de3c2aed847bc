package io.virta.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The options of {@code virta record export} (issue 15), checked and turned into one typed
 * {@link Request}, so that the command itself is a few lines: a {@code @Mixin} of this class, and a
 * {@code call()} that hands {@link #request} to the exporter. The command is not registered until the
 * exporter exists.
 *
 * <pre>{@code
 * @Command(name = "export", customSynopsis = ExportOptions.SYNOPSIS, ...)
 * static final class Export extends OnStore {
 *     @Mixin ExportOptions options;
 *     public Integer call() {
 *         ExportOptions.Request request = options.request(spec, store());
 *         ... exporter(request.store(), request.cameras(), request.from(), request.to(), request.out(),
 *                      request.container()) ...
 *     }
 * }
 * ./virta record export --store /mnt/disk1/virta --camera lobby --from -10m --to now --out lobby.mp4
 * }</pre>
 *
 * <p>{@code --store} is the {@link RecordCommand.OnStore}'s option; times are converted by
 * {@link TimeArgument} (registered for {@link Instant} on every command).
 */
final class ExportOptions {
    static final String SYNOPSIS = "virta record export --store DIR --camera C [--camera C2 ...] --from T --to T"
            + " --out FILE.mp4|FILE.mkv";

    /** The file format, from the name given to {@code --out}. */
    enum Container {
        /** ISO BMFF, moov first, frame-accurate start by an edit list. */
        MP4(".mp4"),
        /** Matroska. */
        MKV(".mkv");

        final String suffix;

        Container(String suffix) {
            this.suffix = suffix;
        }

        static Optional<Container> ofFile(Path file) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            for (Container container : values()) {
                if (name.endsWith(container.suffix)) {
                    return Optional.of(container);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * An export, checked: at least one camera (each once, in the order given), {@code from} before
     * {@code to}, and an output whose name says its container and whose directory exists.
     */
    record Request(Path store, List<String> cameras, Instant from, Instant to, Path out, Container container) {
        Request {
            cameras = List.copyOf(cameras);
        }
    }

    @Option(names = "--camera", paramLabel = "C", description = "the camera to export (repeatable: several cameras"
            + " over the same range)")
    List<String> cameras = new ArrayList<>();
    @Option(names = "--from", paramLabel = "T", description = "start: ISO-8601 with an offset, or relative (-10m, now)")
    Optional<Instant> from = Optional.empty();
    @Option(names = "--to", paramLabel = "T", description = "end: ISO-8601 with an offset, or relative (-10m, now)")
    Optional<Instant> to = Optional.empty();
    @Option(names = "--out", paramLabel = "FILE", description = "the file to write: FILE.mp4 or FILE.mkv")
    Optional<Path> out = Optional.empty();

    /** The checked request; a missing or inconsistent option is a usage mistake naming it (status 2). */
    Request request(CommandSpec spec, Path store) {
        if (cameras.isEmpty()) {
            throw UsageErrors.error(spec, "--camera C is required (repeat it to export several cameras)");
        }
        Instant start = from.orElseThrow(() -> UsageErrors.error(spec, "--from T is required"));
        Instant end = to.orElseThrow(() -> UsageErrors.error(spec, "--to T is required"));
        if (!end.isAfter(start)) {
            throw UsageErrors.error(spec, "--to " + end + " is not after --from " + start);
        }
        Path file = out.orElseThrow(() -> UsageErrors.error(spec, "--out FILE.mp4|FILE.mkv is required"));
        Container container = Container.ofFile(file).orElseThrow(() -> UsageErrors.error(spec, "--out " + file
                + ": name the file .mp4 or .mkv; the name chooses the container"));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw UsageErrors.error(spec, "--out " + file + ": the directory " + parent + " does not exist");
        }
        return new Request(store, List.copyOf(new LinkedHashSet<>(cameras)), start, end, file, container);
    }
}
