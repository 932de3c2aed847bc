package io.virta.recorder.retention;

import java.time.Duration;

/**
 * Event-extended retention for one event label (YAML {@code recording.retention.events[]}, or a camera's
 * {@code record.retention.events[]}), like Frigate's retain modes: the segments of a camera that overlap
 * {@code [mark start - pre, mark end + post]} of a mark with this label are <em>event video</em>, kept
 * until {@code keep} after their last frame (or the camera's {@code maxAge}, if that is longer: an
 * event never shortens retention). A byte budget still deletes event video, but only after all
 * ordinary video of the same scope (docs/recording.md, "Retention").
 *
 * @param label the event label as the event hub reports it (docs/events.md), 1 to 64 characters
 * @param pre   video before the event that counts as part of it (default 5 s)
 * @param post  video after the event that counts as part of it (default 5 s)
 * @param keep  how long event video is kept, counted from the segment's last frame (default 30 days)
 */
public record EventRule(String label, Duration pre, Duration post, Duration keep) {
    public static final Duration DEFAULT_PRE = Duration.ofSeconds(5);
    public static final Duration DEFAULT_POST = Duration.ofSeconds(5);
    public static final Duration DEFAULT_KEEP = Duration.ofDays(30);

    public EventRule {
        EventMark.validateLabel(label);
        if (pre.isNegative() || post.isNegative() || keep.isNegative()) {
            throw new IllegalArgumentException("event rule for label '" + label + "': pre " + pre + ", post " + post
                    + " and keep " + keep + " must not be negative");
        }
    }

    /** A rule for {@code label} with the default pre, post and keep. */
    public static EventRule of(String label) {
        return new EventRule(label, DEFAULT_PRE, DEFAULT_POST, DEFAULT_KEEP);
    }
}
