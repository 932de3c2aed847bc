package io.virta.recorder.retention;

import io.virta.bus.ChannelName;

import java.time.Instant;
import java.util.Optional;

/**
 * An evidence lock (docs/recording-format.md section 10.2): the video of one camera, or of every
 * camera, over {@code [from, to]} that retention never deletes, whatever the budgets. Whole segments
 * are kept: one that overlaps the range by a frame is kept entire.
 *
 * @param id      given by {@link ProtectedRanges#add}, unique in the store, never reused
 * @param camera  the camera, or empty for every camera of the store
 * @param from    capture time where the range starts
 * @param to      capture time where it ends, not before {@code from}
 * @param reason  why, for the people who look later (a case number, say); not blank
 * @param created when it was added
 */
public record ProtectedRange(long id, Optional<String> camera, Instant from, Instant to, String reason,
                             Instant created) {
    public ProtectedRange {
        camera.ifPresent(ChannelName::validate);
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("protected range " + id + ": to " + to + " is before from " + from);
        }
        if (reason.isBlank()) {
            throw new IllegalArgumentException("protected range " + id + " needs a reason (a case number, who asked)");
        }
        if (id <= 0) {
            throw new IllegalArgumentException("protected range id " + id + " must be positive");
        }
        RetentionLines.micros(from);
        RetentionLines.micros(to);
        RetentionLines.micros(created);
    }

    /** True when it protects video of {@code camera} between the two capture times (inclusive). */
    public boolean covers(String camera, long startMicros, long endMicros) {
        return (this.camera.isEmpty() || this.camera.get().equals(camera))
                && startMicros <= RetentionLines.micros(to) && endMicros >= RetentionLines.micros(from);
    }
}
