package io.virta.producer.config;

import io.virta.recorder.retention.CameraRetention;
import io.virta.recorder.retention.EventRule;
import io.virta.recorder.retention.RetentionPolicy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
 * Ages are a number and a unit ({@code 90s}, {@code 45m}, {@code 12h}, {@code 30d}, {@code 2w}) or a
 * plain number of seconds; event {@code pre} and {@code post} are seconds.
 */
final class RetentionSettings {
    static final String[] STORE_KEYS = {"maxBytes", "keepFree", "maxAge", "minAge", "events"};
    static final String[] CAMERA_KEYS = {"maxBytes", "maxAge", "minAge", "events"};
    private static final long MAX_BYTES = Long.MAX_VALUE / 2;

    private RetentionSettings() {
    }

    /** {@code recording.retention}; the defaults (no byte or age limit, 1 GiB kept free) when absent. */
    static RetentionPolicy store(YamlNode node) throws ConfigException {
        RetentionPolicy policy = RetentionPolicy.DEFAULT;
        if (node.isMissing()) {
            return policy;
        }
        node.allowOnly(STORE_KEYS);
        policy = policy.withMaxBytes(node.get("maxBytes").bytes(RetentionPolicy.UNLIMITED, 1 << 20, MAX_BYTES))
                .withKeepFree(node.get("keepFree").bytes(RetentionPolicy.DEFAULT_KEEP_FREE, 0, MAX_BYTES));
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
                .withMaxBytes(node.get("maxBytes").bytes(RetentionPolicy.UNLIMITED, 1 << 20, RetentionPolicy.UNLIMITED));
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

    private static Duration seconds(YamlNode node, Duration fallback) throws ConfigException {
        double seconds = node.decimal(fallback.toMillis() / 1000.0, 0, 24 * 3600);
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    /** {@code 90s}, {@code 45m}, {@code 12h}, {@code 30d}, {@code 2w}, or seconds. */
    static Duration age(YamlNode node, Duration fallback) throws ConfigException {
        if (node.isMissing()) {
            return fallback;
        }
        String text = node.requiredString().strip().toLowerCase(Locale.ROOT);
        long unitSeconds = switch (text.isEmpty() ? ' ' : text.charAt(text.length() - 1)) {
            case 's' -> 1;
            case 'm' -> 60;
            case 'h' -> 3600;
            case 'd' -> 86_400;
            case 'w' -> 7 * 86_400;
            default -> 0;
        };
        String number = unitSeconds == 0 ? text : text.substring(0, text.length() - 1).strip();
        try {
            double value = Double.parseDouble(number);
            if (!(value >= 0) || value > 100 * 365.0 * 86_400 / Math.max(1, unitSeconds)) {
                throw node.error("'" + text + "' is out of range: give an age from 0 up to 100 years");
            }
            return Duration.ofMillis(Math.round(value * Math.max(1, unitSeconds) * 1000));
        } catch (NumberFormatException e) {
            throw node.error("'" + text + "' is not an age; write a number and a unit: 90s, 45m, 12h, 30d or 2w");
        }
    }
}
