package io.virta.producer.config;

import io.virta.recorder.retention.RetentionPolicy;
import io.virta.recorder.store.SegmentPolicy;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The file's top-level {@code recording:} section: the stores the producer records into and how
 * segments are cut and synced (docs/recording.md). Cameras opt in with their own {@code record:}
 * block ({@link CameraConfig.RecordConfig}); the producer opens every store listed here once, at
 * start, whether or not a camera of the file records (a camera added over the control API may).
 *
 * <pre>{@code
 * recording:
 *   store: /var/lib/virta/recordings      # or stores: [/mnt/disk1/virta, /mnt/disk2/virta]
 *   syncSeconds: 1                        # what a power cut can lose
 * }</pre>
 *
 * @param stores the store directories, one per disk, as written; empty: recording is off and no
 *               camera may record
 * @param policy    {@code segmentBytes}, {@code segmentSeconds} and {@code syncSeconds}, as the
 *                  recorder takes them
 * @param retention {@code retention:}, each store's budgets and ages; the cameras' own
 *                  ({@code record.retention}) are added per camera when it starts
 */
public record RecordingConfig(List<Path> stores, SegmentPolicy policy, RetentionPolicy retention) {
    /** No {@code recording:} section. */
    public static final RecordingConfig OFF = new RecordingConfig(List.of(), SegmentPolicy.DEFAULT);

    public RecordingConfig(List<Path> stores, SegmentPolicy policy) {
        this(stores, policy, RetentionPolicy.DEFAULT);
    }

    /** The keys of the section. */
    private static final String[] KEYS = {"store", "stores", "syncSeconds", "segmentSeconds", "segmentBytes",
            "retention"};

    public RecordingConfig {
        stores = List.copyOf(stores);
    }

    /** Whether the section names a store, so that cameras may record. */
    public boolean enabled() {
        return !stores.isEmpty();
    }

    /**
     * The store a camera records into when its {@code record.store} names none: the first listed.
     *
     * @throws IllegalStateException when recording is off
     */
    public Path defaultStore() {
        if (stores.isEmpty()) {
            throw new IllegalStateException("no recording store is configured");
        }
        return stores.getFirst();
    }

    /** The configured store that is {@code directory} (compared as absolute, normalized paths), if any. */
    public java.util.Optional<Path> store(Path directory) {
        Path wanted = directory.toAbsolutePath().normalize();
        return stores.stream().filter(s -> s.toAbsolutePath().normalize().equals(wanted)).findFirst();
    }

    static RecordingConfig parse(YamlNode node) throws ConfigException {
        if (node.isMissing()) {
            return OFF;
        }
        node.allowOnly(KEYS);
        YamlNode one = node.get("store");
        YamlNode many = node.get("stores");
        if (!one.isMissing() && !many.isMissing()) {
            throw many.error("give either store: DIR or stores: [DIR, ...], not both");
        }
        List<Path> stores = new ArrayList<>();
        if (!one.isMissing()) {
            stores.add(directory(one));
        }
        for (YamlNode entry : many.list()) {
            Path store = directory(entry);
            if (stores.stream().anyMatch(s -> s.toAbsolutePath().normalize().equals(store.toAbsolutePath().normalize()))) {
                throw entry.error("'" + store + "' is listed twice; each store is one directory (one per disk)");
            }
            stores.add(store);
        }
        if (stores.isEmpty()) {
            throw node.error("names no store; add store: DIR (a directory on a local disk), e.g. "
                    + "recording: { store: /var/lib/virta/recordings }");
        }
        SegmentPolicy defaults = SegmentPolicy.DEFAULT;
        long segmentBytes = node.get("segmentBytes").bytes(defaults.segmentBytes(), 1 << 16, 4L << 30);
        long segmentSeconds = node.get("segmentSeconds").integer(defaults.segmentTime().toSeconds(), 1, 3600);
        double syncSeconds = node.get("syncSeconds").decimal(defaults.sync().toMillis() / 1000.0, 0.01, 60);
        SegmentPolicy policy = new SegmentPolicy(segmentBytes, Duration.ofSeconds(segmentSeconds),
                Duration.ofMillis(Math.round(syncSeconds * 1000)), defaults.maxGap());
        return new RecordingConfig(stores, policy, RetentionSettings.store(node.get("retention")));
    }

    /** A store directory as a setting gives it. */
    static Path directory(YamlNode node) throws ConfigException {
        String text = node.requiredString();
        try {
            return Path.of(text.strip());
        } catch (InvalidPathException e) {
            throw node.error("'" + text + "' is not a directory path: " + e.getReason());
        }
    }
}
