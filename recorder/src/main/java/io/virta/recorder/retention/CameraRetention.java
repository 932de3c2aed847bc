package io.virta.recorder.retention;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One camera's retention (YAML: the camera's {@code record.retention}), on top of the store's
 * {@link RetentionPolicy}.
 *
 * @param maxBytes a budget of this camera's own, in addition to the store's ({@link RetentionPolicy#UNLIMITED}
 *                 for none, the default): each applies, the store's to all cameras together
 * @param maxAge   replaces the store's {@code maxAge} for this camera; empty: the store's
 * @param minAge   replaces the store's {@code minAge} for this camera; empty: the store's
 * @param events   event rules of this camera, in addition to the store's; for a label in both, the
 *                 longer pre, post and keep of the two apply
 */
public record CameraRetention(long maxBytes, Optional<Duration> maxAge, Optional<Duration> minAge,
                              List<EventRule> events) {
    /** Nothing of its own: the store's policy applies as it is. */
    public static final CameraRetention INHERIT = new CameraRetention(RetentionPolicy.UNLIMITED, Optional.empty(),
            Optional.empty(), List.of());

    public CameraRetention {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("camera maxBytes " + maxBytes + " must be positive; leave it out for no camera budget");
        }
        maxAge.ifPresent(age -> RetentionPolicy.requireNotNegative("camera maxAge", age));
        minAge.ifPresent(age -> RetentionPolicy.requireNotNegative("camera minAge", age));
        events = List.copyOf(events);
    }

    public CameraRetention withMaxBytes(long bytes) {
        return new CameraRetention(bytes, maxAge, minAge, events);
    }

    public CameraRetention withMaxAge(Duration age) {
        return new CameraRetention(maxBytes, Optional.of(age), minAge, events);
    }

    public CameraRetention withMinAge(Duration age) {
        return new CameraRetention(maxBytes, maxAge, Optional.of(age), events);
    }

    public CameraRetention withEvents(List<EventRule> rules) {
        return new CameraRetention(maxBytes, maxAge, minAge, rules);
    }
}
