package io.virta.recorder.retention;

import io.virta.bus.ChannelName;
import io.virta.recorder.format.StoreLayout;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a store keeps (YAML {@code recording.retention}; user guide: docs/recording.md, "Retention").
 * When a budget is reached the oldest video goes first, ordinary video before event video
 * ({@link EventRule}); protected ranges ({@link ProtectedRanges}), the segment being written and video
 * younger than {@code minAge} are never deleted.
 *
 * <p>Immutable; {@link #DEFAULT} keeps everything the disk can hold and leaves 1 GiB free.
 *
 * @param maxBytes video of all cameras together, in bytes ({@link #UNLIMITED}: no budget, the default).
 *                 Sealed segments count their file size, open ones their preallocated size
 * @param keepFree bytes that must stay free on the store's disk ({@code FileStore.getUsableSpace}),
 *                 whatever else fills it (default 1 GiB; 0: none)
 * @param maxAge   ordinary video older than this is deleted ({@link #FOREVER}: never, the default)
 * @param minAge   video younger than this is never deleted, even over a budget: the budget is then
 *                 exceeded and a warning says so (default 0: no guarantee)
 * @param events   event-extended retention, by label (default none)
 * @param cameras  per camera: its own budget, ages and event rules (default none)
 */
public record RetentionPolicy(long maxBytes, long keepFree, Duration maxAge, Duration minAge, List<EventRule> events,
                              Map<String, CameraRetention> cameras) {
    /** No byte budget. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** No age limit. */
    public static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);
    public static final long DEFAULT_KEEP_FREE = 1L << 30;
    public static final RetentionPolicy DEFAULT = new RetentionPolicy(UNLIMITED, DEFAULT_KEEP_FREE, FOREVER,
            Duration.ZERO, List.of(), Map.of());

    public RetentionPolicy {
        if (maxBytes <= 0 || keepFree < 0) {
            throw new IllegalArgumentException("retention maxBytes " + maxBytes + " must be positive and keepFree "
                    + keepFree + " not negative");
        }
        requireNotNegative("maxAge", maxAge);
        requireNotNegative("minAge", minAge);
        events = List.copyOf(events);
        cameras = Map.copyOf(cameras);
        for (String camera : cameras.keySet()) {
            ChannelName.validate(camera);
        }
        checkAges("the store", maxAge, minAge);
        for (Map.Entry<String, CameraRetention> camera : cameras.entrySet()) {
            checkAges("camera " + camera.getKey(), camera.getValue().maxAge().orElse(maxAge),
                    camera.getValue().minAge().orElse(minAge));
        }
    }

    private static void checkAges(String who, Duration maxAge, Duration minAge) {
        if (minAge.compareTo(maxAge) > 0) {
            throw new IllegalArgumentException("retention of " + who + ": minAge " + minAge + " is longer than maxAge "
                    + maxAge + "; video cannot be both kept and deleted. Lower minAge or raise maxAge");
        }
    }

    static void requireNotNegative(String field, Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("retention " + field + " " + value + " must not be negative");
        }
    }

    public RetentionPolicy withMaxBytes(long bytes) {
        return new RetentionPolicy(bytes, keepFree, maxAge, minAge, events, cameras);
    }

    public RetentionPolicy withKeepFree(long bytes) {
        return new RetentionPolicy(maxBytes, bytes, maxAge, minAge, events, cameras);
    }

    public RetentionPolicy withMaxAge(Duration age) {
        return new RetentionPolicy(maxBytes, keepFree, age, minAge, events, cameras);
    }

    public RetentionPolicy withMinAge(Duration age) {
        return new RetentionPolicy(maxBytes, keepFree, maxAge, age, events, cameras);
    }

    public RetentionPolicy withEvents(List<EventRule> rules) {
        return new RetentionPolicy(maxBytes, keepFree, maxAge, minAge, rules, cameras);
    }

    public RetentionPolicy withCamera(String camera, CameraRetention retention) {
        Map<String, CameraRetention> next = new HashMap<>(cameras);
        next.put(camera, retention);
        return new RetentionPolicy(maxBytes, keepFree, maxAge, minAge, events, next);
    }

    /** What applies to {@code camera}: its own settings over the store's. */
    public CameraLimits limitsOf(String camera) {
        CameraRetention own = cameras.getOrDefault(camera, CameraRetention.INHERIT);
        Map<String, EventRule> rules = new HashMap<>();
        for (List<EventRule> list : List.of(events, own.events())) {
            for (EventRule rule : list) {
                rules.merge(rule.label(), rule, (a, b) -> new EventRule(a.label(), max(a.pre(), b.pre()),
                        max(a.post(), b.post()), max(a.keep(), b.keep())));
            }
        }
        return new CameraLimits(own.maxBytes(), micros(own.maxAge().orElse(maxAge)),
                micros(own.minAge().orElse(minAge)), Map.copyOf(rules));
    }

    /** The longest any mark can matter for, under any camera's rules: older marks can be forgotten. */
    long markHorizonMicros() {
        long longest = 0;
        for (String camera : cameras.keySet()) {
            longest = Math.max(longest, limitsOf(camera).markHorizonMicros());
        }
        return Math.max(longest, limitsOf("").markHorizonMicros());
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** A duration in µs, saturating: {@link #FOREVER} becomes {@link Long#MAX_VALUE}. */
    static long micros(Duration duration) {
        try {
            return Math.multiplyExact(duration.getSeconds(), 1_000_000L) + duration.getNano() / 1000;
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * The limits of one camera in µs, resolved from the store's and the camera's settings.
     *
     * @param maxBytes     the camera's own budget, {@link #UNLIMITED} for none
     * @param maxAgeMicros {@link Long#MAX_VALUE}: no age limit
     * @param rules        event rules by label
     */
    public record CameraLimits(long maxBytes, long maxAgeMicros, long minAgeMicros, Map<String, EventRule> rules) {
        /**
         * How long after its end a mark can still hold video: post plus keep of its longest rule, plus
         * the longest a segment that overlaps its window can run past it (docs/recording-format.md 5.3).
         */
        long markHorizonMicros() {
            long longest = 0;
            for (EventRule rule : rules.values()) {
                longest = Math.max(longest, saturatedAdd(saturatedAdd(micros(rule.post()), micros(rule.keep())),
                        StoreLayout.MAX_SEGMENT_MICROS));
            }
            return longest;
        }
    }

    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
    }
}
