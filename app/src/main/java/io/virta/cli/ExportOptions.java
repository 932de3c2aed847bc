package io.virta.cli;

import io.virta.recorder.export.ExportFormat;
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
 * The options of {@code virta record export}, checked and turned into one typed {@link Request}: a
 * picocli {@code @Mixin} of {@link RecordCommand.Export}. One camera goes to {@code --out FILE.mp4} or
 * {@code FILE.mkv} (the name chooses the container); several cameras over the same range go to
 * {@code --out DIR}, a file per camera, in the container {@code --format} names.
 *
 * <pre>{@code
 * ./virta record export --store /mnt/disk1/virta --camera lobby --from -10m --to now --out lobby.mp4
 * ./virta record export --store /mnt/disk1/virta --camera lobby --camera yard --from -10m --to now --out incident/
 * }</pre>
 *
 * <p>{@code --store} is {@link RecordCommand.OnStore}'s option; times are converted by {@link TimeArgument}
 * (registered for {@link Instant} on every command).
 */
final class ExportOptions {
    static final String SYNOPSIS_ONE = "virta record export --store DIR --camera C --from T --to T --out FILE.mp4|FILE.mkv";
    static final String SYNOPSIS_SEVERAL = "       virta record export --store DIR --camera C --camera C2 ... --from T --to T"
            + " --out DIR [--format mp4|mkv]";

    /**
     * An export, checked: at least one camera (each once, in the order given), {@code from} not after
     * {@code to}, and where it goes: {@code out} is the file for one camera, the directory for several.
     */
    record Request(List<String> cameras, Instant from, Instant to, Path out, ExportFormat format) {
        Request {
            cameras = List.copyOf(cameras);
        }

        /** True when {@code out} is a directory that gets a file per camera. */
        boolean toDirectory() {
            return cameras.size() > 1;
        }
    }

    @Option(names = "--camera", paramLabel = "C", description = "the camera to export (repeatable: several cameras"
            + " over the same range, a file each in --out DIR)")
    List<String> cameras = new ArrayList<>();
    @Option(names = "--from", paramLabel = "T", description = "the range's start: ISO-8601 with an offset, or relative"
            + " (-10m, now)")
    Optional<Instant> from = Optional.empty();
    @Option(names = "--to", paramLabel = "T", description = "the range's end (at most 24 h after --from)")
    Optional<Instant> to = Optional.empty();
    @Option(names = "--out", paramLabel = "FILE|DIR", description = "FILE.mp4 or FILE.mkv for one camera; a directory"
            + " (made if missing) for several")
    Optional<Path> out = Optional.empty();
    @Option(names = "--format", paramLabel = "mp4|mkv", description = "the container of a several-camera export"
            + " (default mp4); one camera's comes from its file name")
    Optional<String> format = Optional.empty();

    /** The checked request; a missing or inconsistent option is a usage mistake naming it (status 2). */
    Request request(CommandSpec spec) {
        if (cameras.isEmpty()) {
            throw UsageErrors.error(spec, "--camera C is required (repeat it to export several cameras)");
        }
        Instant start = from.orElseThrow(() -> UsageErrors.error(spec, "--from T is required"));
        Instant end = to.orElseThrow(() -> UsageErrors.error(spec, "--to T is required"));
        if (end.isBefore(start)) {
            throw UsageErrors.error(spec, "--to " + end + " is before --from " + start);
        }
        Path target = out.orElseThrow(() -> UsageErrors.error(spec, "--out is required: FILE.mp4 or FILE.mkv for one"
                + " camera, a directory for several"));
        List<String> each = List.copyOf(new LinkedHashSet<>(cameras));
        if (each.size() == 1) {
            if (format.isPresent()) {
                throw UsageErrors.error(spec, "--format applies to several cameras; one camera's container comes from"
                        + " its --out file name (.mp4 or .mkv)");
            }
            ExportFormat container = ExportFormat.ofFileName(target).orElseThrow(() -> UsageErrors.error(spec,
                    "--out " + target + ": name the file .mp4 or .mkv; the name chooses the container"));
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw UsageErrors.error(spec, "--out " + target + ": the directory " + parent + " does not exist");
            }
            return new Request(each, start, end, target, container);
        }
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw UsageErrors.error(spec, "--out " + target + " is a file; several cameras go to a directory, a file"
                    + " each");
        }
        return new Request(each, start, end, target, container(spec));
    }

    private ExportFormat container(CommandSpec spec) {
        String name = format.orElse("mp4").toLowerCase(Locale.ROOT);
        for (ExportFormat candidate : ExportFormat.values()) {
            if (candidate.extension().equals(name)) {
                return candidate;
            }
        }
        throw UsageErrors.error(spec, "--format '" + format.get() + "' is not mp4 or mkv");
    }
}
