package io.virta.producer.config;

import io.virta.recorder.retention.Amounts;
import io.virta.recorder.retention.CameraRetention;
import io.virta.recorder.retention.EventRule;
import io.virta.recorder.retention.RetentionPolicy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code retention:} blocks of the configuration (docs/recording.md, "Retention"): the store's,
 * under {@code recording:}, and a camera's own, under its {@code record:}.
 *
 * <pre>{@code
 * recording:
 *   store: /var/lib/virta/recordings
 *   retention: { maxBytes: 2TiB, keepFree: 20GiB, maxAge: 30d, minAge: 2d,
 *                events: [{ label: person, pre: 10, post: 20, keep: 90d }] }
 * cameras:
 *   - name: gate
 *     record: { enabled: true, retention: { maxBytes: 200GiB, maxAge: 14d } }
 * }</pre>
 *
 * Ages (event {@code pre} and {@code post} too) are a number and a unit ({@code 90s}, {@code 45m},
 * {@code 12h}, {@code 30d}, {@code 2w}) or a plain number of seconds; sizes are {@code 500GB},
 * {@code 2TB}, {@code 512MiB} or bytes ({@link Amounts}).
 */
final class RetentionSettings {
    static final String[] STORE_KEYS = {"maxBytes", "keepFree", "maxAge", "minAge", "events"};
    static final String[] CAMERA_KEYS = {"maxBytes", "maxAge", "minAge", "events"};

    private RetentionSettings() {
    }

    /** {@code recording.retention}; the defaults (no byte or age limit, 1 GiB kept free) when absent. */
    static RetentionPolicy store(YamlNode node) throws ConfigException {
        RetentionPolicy policy = RetentionPolicy.DEFAULT;
        if (node.isMissing()) {
            return policy;
        }
        node.allowOnly(STORE_KEYS);
        policy = policy.withMaxBytes(size(node.get("maxBytes"), RetentionPolicy.UNLIMITED, 1 << 20))
                .withKeepFree(size(node.get("keepFree"), RetentionPolicy.DEFAULT_KEEP_FREE, 0));
        Duration maxAge = age(node.get("maxAge"), RetentionPolicy.FOREVER);
        Duration minAge = age(node.get("minAge"), Duration.ZERO);
        if (minAge.compareTo(maxAge) > 0) {
            throw node.get("minAge").error("is longer than maxAge (" + node.get("maxAge").string("") + "); video"
                    + " cannot be kept at least " + node.get("minAge").string("") + " and deleted sooner; lower minAge"
                    + " or raise maxAge");
        }
        return policy.withMaxAge(maxAge).withMinAge(minAge).withEvents(events(node.get("events")));
    }

    /** A camera's {@code record.retention}; nothing of its own when absent. */
    static CameraRetention camera(YamlNode node) throws ConfigException {
        if (node.isMissing()) {
            return CameraRetention.INHERIT;
        }
        node.allowOnly(CAMERA_KEYS);
        CameraRetention retention = CameraRetention.INHERIT
                .withMaxBytes(size(node.get("maxBytes"), RetentionPolicy.UNLIMITED, 1 << 20));
        if (!node.get("maxAge").isMissing()) {
            retention = retention.withMaxAge(age(node.get("maxAge"), RetentionPolicy.FOREVER));
        }
        if (!node.get("minAge").isMissing()) {
            retention = retention.withMinAge(age(node.get("minAge"), Duration.ZERO));
        }
        return retention.withEvents(events(node.get("events")));
    }

    private static List<EventRule> events(YamlNode list) throws ConfigException {
        List<EventRule> rules = new ArrayList<>();
        for (YamlNode entry : list.list()) {
            entry.allowOnly("label", "pre", "post", "keep");
            String label = entry.get("label").requiredString().strip();
            Duration pre = seconds(entry.get("pre"), EventRule.DEFAULT_PRE);
            Duration post = seconds(entry.get("post"), EventRule.DEFAULT_POST);
            Duration keep = age(entry.get("keep"), EventRule.DEFAULT_KEEP);
            try {
                rules.add(new EventRule(label, pre, post, keep));
            } catch (IllegalArgumentException e) {
                throw entry.error(e.getMessage());
            }
        }
        return rules;
    }

    /** Event {@code pre}/{@code post}: an age ({@code 10s}, {@code 2m}) or seconds, at most a day. */
    private static Duration seconds(YamlNode node, Duration fallback) throws ConfigException {
        Duration value = age(node, fallback);
        if (value.compareTo(Duration.ofDays(1)) > 0) {
            throw node.error("is longer than a day; pre and post are the video around one event");
        }
        return value;
    }

    /** A size: {@code 500GB}, {@code 2TB}, {@code 512MiB} or bytes, at least {@code min}. */
    private static long size(YamlNode node, long fallback, long min) throws ConfigException {
        if (node.isMissing()) {
            return fallback;
        }
        long bytes;
        try {
            bytes = Amounts.bytes(node.requiredString());
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
        if (bytes < min) {
            throw node.error(bytes + " bytes is less than the least allowed, " + min);
        }
        return bytes;
    }

    /** {@code 90s}, {@code 45m}, {@code 12h}, {@code 30d}, {@code 2w}, or seconds. */
    static Duration age(YamlNode node, Duration fallback) throws ConfigException {
        if (node.isMissing()) {
            return fallback;
        }
        try {
            return Amounts.age(node.requiredString());
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }
}
