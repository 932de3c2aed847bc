package io.virta.hub.validate;

import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;

import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The rules of virta/events/v1/events.proto for a reported event. {@link #check} returns null for a
 * valid event and otherwise one reason that names the field, e.g.
 * {@code events[2].boxes[0].width: 1.2 is outside (0, 1]}. Checking a valid event allocates nothing of
 * its own (protobuf's map accessors make small views); only a refusal builds a message.
 */
public final class EventValidator {
    public static final int MAX_TYPE_CHARACTERS = 64;
    public static final int MAX_BOXES = 256;
    public static final int MAX_LABEL_CHARACTERS = 64;
    public static final int MAX_ATTRIBUTES = 64;
    public static final int MAX_KEY_CHARACTERS = 64;
    public static final int MAX_VALUE_BYTES = 1024;
    public static final int MAX_SOURCE_CHARACTERS = 128;
    /** How far ahead of the hub's clock a capture time may be: clocks of different machines differ. */
    public static final long MAX_AHEAD_MICROS = 60_000_000L;
    /**
     * Slack for x + width <= 1 (and y + height): a worker that divides pixels by the picture size gets
     * float sums a rounding step above 1.
     */
    public static final double EDGE_TOLERANCE = 1e-6;

    private final CameraDirectory cameras;
    private final LongSupplier clockMicros;

    public EventValidator(CameraDirectory cameras, LongSupplier clockMicros) {
        this.cameras = cameras;
        this.clockMicros = clockMicros;
    }

    /** Null if {@code event}, the {@code index}th of a report, is valid; else the reason. */
    public String check(Event event, int index) {
        return check(event, index, clockMicros.getAsLong());
    }

    /** As {@link #check(Event, int)} with the hub's clock read once per batch. */
    public String check(Event event, int index, long nowMicros) {
        String type = event.getType();
        if (!isValidType(type)) {
            return field(index, "type", type.isEmpty() ? "is required, e.g. \"motion\""
                    : "'" + Text.clip(type) + "' must be 1.." + MAX_TYPE_CHARACTERS
                    + " characters of letters, digits, '_', '-', '.' and ':'");
        }
        String cameraProblem = cameras.problem(event.getCamera());
        if (cameraProblem != null) {
            return field(index, "camera", cameraProblem);
        }
        long capture = event.getCaptureTimeMicros();
        if (capture <= 0) {
            return field(index, "capture_time_micros", capture
                    + " must be positive: the picture's capture time in microseconds since the Unix epoch");
        }
        if (capture > nowMicros + MAX_AHEAD_MICROS) {
            return field(index, "capture_time_micros", capture + " is " + String.format(Locale.ROOT, "%.1f",
                    (capture - nowMicros) / 1e6) + " s ahead of the hub's clock (at most 60 s is accepted);"
                    + " check the worker's clock, and that the time is in microseconds");
        }
        int boxCount = event.getBoxesCount();
        if (boxCount > MAX_BOXES) {
            return field(index, "boxes", boxCount + " boxes; at most " + MAX_BOXES + " are accepted");
        }
        for (int b = 0; b < boxCount; b++) {
            String problem = boxProblem(event.getBoxes(b));
            if (problem != null) {
                return "events[" + index + "].boxes[" + b + "]" + problem;
            }
        }
        int attributeCount = event.getAttributesCount();
        if (attributeCount > MAX_ATTRIBUTES) {
            return field(index, "attributes", attributeCount + " entries; at most " + MAX_ATTRIBUTES + " are accepted");
        }
        if (attributeCount > 0) {
            for (Map.Entry<String, String> entry : event.getAttributesMap().entrySet()) {
                String problem = attributeProblem(entry.getKey(), entry.getValue());
                if (problem != null) {
                    return "events[" + index + "].attributes" + problem;
                }
            }
        }
        int sourceLength = Text.characters(event.getSource());
        if (sourceLength > MAX_SOURCE_CHARACTERS) {
            return field(index, "source", sourceLength + " characters; at most " + MAX_SOURCE_CHARACTERS);
        }
        return null;
    }

    /** Null, or ".width: 1.2 is outside (0, 1]" (the field path after "boxes[i]"). */
    private static String boxProblem(BoundingBox box) {
        float x = box.getX();
        float y = box.getY();
        float width = box.getWidth();
        float height = box.getHeight();
        String problem = coordinateProblem("x", x, false);
        if (problem == null) {
            problem = coordinateProblem("y", y, false);
        }
        if (problem == null) {
            problem = coordinateProblem("width", width, true);
        }
        if (problem == null) {
            problem = coordinateProblem("height", height, true);
        }
        if (problem != null) {
            return problem;
        }
        if ((double) x + width > 1 + EDGE_TOLERANCE) {
            return ": x + width = " + ((double) x + width) + " is more than 1 (the box leaves the picture)";
        }
        if ((double) y + height > 1 + EDGE_TOLERANCE) {
            return ": y + height = " + ((double) y + height) + " is more than 1 (the box leaves the picture)";
        }
        float score = box.getScore();
        if (!(score >= 0 && score <= 1)) {
            return ".score: " + score + " is outside [0, 1]";
        }
        int labelLength = Text.characters(box.getLabel());
        if (labelLength > MAX_LABEL_CHARACTERS) {
            return ".label: " + labelLength + " characters; at most " + MAX_LABEL_CHARACTERS;
        }
        return null;
    }

    /** x and y lie in [0, 1), width and height in (0, 1]; all finite. */
    private static String coordinateProblem(String name, float value, boolean extent) {
        if (!Float.isFinite(value)) {
            return "." + name + ": " + value + " is not a finite number";
        }
        boolean inside = extent ? value > 0 && value <= 1 : value >= 0 && value < 1;
        if (!inside) {
            return "." + name + ": " + value + " is outside " + (extent ? "(0, 1]" : "[0, 1)")
                    + " (coordinates are fractions of the picture's width and height)";
        }
        return null;
    }

    private static String attributeProblem(String key, String value) {
        int keyLength = Text.characters(key);
        if (keyLength == 0) {
            return ": an empty key; keys are 1.." + MAX_KEY_CHARACTERS + " characters";
        }
        if (keyLength > MAX_KEY_CHARACTERS) {
            return "['" + Text.clip(key) + "']: the key has " + keyLength + " characters; at most " + MAX_KEY_CHARACTERS;
        }
        int valueBytes = Text.utf8Bytes(value);
        if (valueBytes > MAX_VALUE_BYTES) {
            return "['" + Text.clip(key) + "']: the value has " + valueBytes + " bytes; at most " + MAX_VALUE_BYTES;
        }
        return null;
    }

    /** 1..64 characters of ASCII letters, digits, '_', '-', '.' and ':'. */
    public static boolean isValidType(String type) {
        int length = type.length();
        if (length == 0 || length > MAX_TYPE_CHARACTERS) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = type.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '-' || c == '.' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String field(int index, String field, String problem) {
        return "events[" + index + "]." + field + ": " + problem;
    }
}
