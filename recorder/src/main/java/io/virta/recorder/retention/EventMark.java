package io.virta.recorder.retention;

import io.virta.bus.ChannelName;

import java.time.Instant;

/**
 * An event of a camera that may extend retention (docs/recording-format.md section 10.1): the event
 * hub reports it, an {@link EventRule} with its label decides what it keeps. A moment is a mark whose
 * start and end are equal.
 *
 * @param camera the camera's name (the bus's channel-name rule)
 * @param label  the event's label, 1 to 64 characters (any, even spaces: the file encodes them)
 * @param start  capture time where the event begins
 * @param end    capture time where it ends, not before {@code start}
 */
public record EventMark(String camera, String label, Instant start, Instant end) {
    public static final int MAX_LABEL_LENGTH = 64;

    public EventMark {
        ChannelName.validate(camera);
        validateLabel(label);
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("event mark of camera " + camera + ", label '" + label + "': end " + end
                    + " is before start " + start);
        }
        RetentionLines.micros(start);
        RetentionLines.micros(end);
    }

    /** A mark of one moment. */
    public static EventMark at(String camera, String label, Instant moment) {
        return new EventMark(camera, label, moment, moment);
    }

    static void validateLabel(String label) {
        if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH) {
            throw new IllegalArgumentException("event label '" + label + "' must have 1 to " + MAX_LABEL_LENGTH
                    + " characters");
        }
    }

    long startMicros() {
        return RetentionLines.micros(start);
    }

    long endMicros() {
        return RetentionLines.micros(end);
    }
}
