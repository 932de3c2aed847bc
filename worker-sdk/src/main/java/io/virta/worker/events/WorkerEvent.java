package io.virta.worker.events;

import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;

import java.nio.charset.StandardCharsets;

/**
 * Builds the events a worker reports, checking locally what the hub would refuse, so that a mistake
 * fails at once with the field's name (an {@link IllegalArgumentException}) rather than as a rejection
 * later. The limits are those of virta/events/v1/events.proto.
 *
 * <pre>{@code
 * Event event = WorkerEvent.builder("motion")
 *         .camera("lobby")
 *         .captureTimeMicros(frame.captureTimeMicros())
 *         .box(0.25, 0.40, 0.10, 0.20, "motion", 0.83)
 *         .attribute("moving_fraction", "0.012")
 *         .source("motion")
 *         .build();
 * }</pre>
 */
public final class WorkerEvent {
    public static final int MAX_TYPE_CHARS = 64;
    public static final int MAX_BOXES = 256;
    public static final int MAX_ATTRIBUTES = 64;
    public static final int MAX_KEY_CHARS = 64;
    public static final int MAX_VALUE_BYTES = 1024;
    public static final int MAX_LABEL_CHARS = 64;
    public static final int MAX_SOURCE_CHARS = 128;

    private WorkerEvent() {
    }

    /** An event of {@code type}: 1..64 letters, digits, '_', '-', '.' or ':'. */
    public static Builder builder(String type) {
        return new Builder(type);
    }

    /** One event under construction; {@link #build()} checks it as a whole. */
    public static final class Builder {
        private final Event.Builder event = Event.newBuilder();

        private Builder(String type) {
            checkType(type);
            event.setType(type);
        }

        public Builder camera(String camera) {
            if (camera == null || camera.isEmpty()) {
                throw new IllegalArgumentException("camera: is required");
            }
            event.setCamera(camera);
            return this;
        }

        /** The analyzed frame's capture time ({@code WorkerFrame.captureTimeMicros()}). */
        public Builder captureTimeMicros(long micros) {
            if (micros <= 0) {
                throw new IllegalArgumentException("capture_time_micros: " + micros
                        + " is not a time; use the frame's captureTimeMicros()");
            }
            event.setCaptureTimeMicros(micros);
            return this;
        }

        /**
         * A region in normalized coordinates: (0, 0) is the picture's top-left corner, (1, 1) its
         * bottom-right one. A right or bottom edge past 1 by float rounding only (under 1e-5) is pulled
         * back onto the edge; anything else outside the picture is refused.
         */
        public Builder box(double x, double y, double width, double height, String label, double score) {
            int index = event.getBoxesCount();
            String at = "boxes[" + index + "].";
            if (index >= MAX_BOXES) {
                throw new IllegalArgumentException("boxes: at most " + MAX_BOXES + " per event");
            }
            checkUnit(at + "x", x, true);
            checkUnit(at + "y", y, true);
            checkUnit(at + "width", width, false);
            checkUnit(at + "height", height, false);
            float fx = (float) x;
            float fy = (float) y;
            float fw = fit(at + "x", fx, (float) width, x + width);
            float fh = fit(at + "y", fy, (float) height, y + height);
            if (!(score >= 0 && score <= 1)) {
                throw new IllegalArgumentException(at + "score: " + score + " is outside [0, 1]");
            }
            if (label == null) {
                label = "";
            }
            if (label.length() > MAX_LABEL_CHARS) {
                throw new IllegalArgumentException(at + "label: " + label.length() + " characters; at most "
                        + MAX_LABEL_CHARS);
            }
            event.addBoxes(BoundingBox.newBuilder().setX(fx).setY(fy).setWidth(fw).setHeight(fh).setLabel(label)
                    .setScore((float) score));
            return this;
        }

        public Builder attribute(String key, String value) {
            if (key == null || key.isEmpty() || key.length() > MAX_KEY_CHARS) {
                throw new IllegalArgumentException("attributes: key '" + key + "' must have 1.." + MAX_KEY_CHARS
                        + " characters");
            }
            if (value == null) {
                throw new IllegalArgumentException("attributes[" + key + "]: value is null");
            }
            if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
                throw new IllegalArgumentException("attributes[" + key + "]: value is longer than " + MAX_VALUE_BYTES
                        + " bytes");
            }
            if (!event.containsAttributes(key) && event.getAttributesCount() >= MAX_ATTRIBUTES) {
                throw new IllegalArgumentException("attributes: at most " + MAX_ATTRIBUTES + " entries");
            }
            event.putAttributes(key, value);
            return this;
        }

        /** Who reports it: the worker's name (up to 128 characters). */
        public Builder source(String source) {
            if (source == null) {
                source = "";
            }
            if (source.length() > MAX_SOURCE_CHARS) {
                throw new IllegalArgumentException("source: " + source.length() + " characters; at most "
                        + MAX_SOURCE_CHARS);
            }
            event.setSource(source);
            return this;
        }

        public Event build() {
            if (event.getCamera().isEmpty()) {
                throw new IllegalArgumentException("camera: is required");
            }
            if (event.getCaptureTimeMicros() <= 0) {
                throw new IllegalArgumentException("capture_time_micros: is required (the frame's capture time)");
            }
            return event.build();
        }

        private static void checkUnit(String field, double v, boolean zeroAllowed) {
            if (!Double.isFinite(v) || v < 0 || v > 1 || (!zeroAllowed && v == 0)) {
                throw new IllegalArgumentException(field + ": " + v + " is outside " + (zeroAllowed ? "[0, 1]" : "(0, 1]"));
            }
        }

        /** The extent as a float whose sum with {@code start} stays within 1. */
        private static float fit(String field, float start, float extent, double end) {
            if (end > 1 + 1e-5) {
                throw new IllegalArgumentException(field + " + extent: " + end + " reaches past the picture's edge (1)");
            }
            while (start + extent > 1f && extent > 0) {
                extent = Math.nextDown(extent);
            }
            if (!(extent > 0)) {
                throw new IllegalArgumentException(field + ": the box has no extent left inside the picture");
            }
            return extent;
        }
    }

    static void checkType(String type) {
        if (type == null || type.isEmpty() || type.length() > MAX_TYPE_CHARS) {
            throw new IllegalArgumentException("type: '" + type + "' must have 1.." + MAX_TYPE_CHARS + " characters");
        }
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '-' || c == '.' || c == ':';
            if (!ok) {
                throw new IllegalArgumentException("type: '" + type + "' has '" + c + "'; use letters, digits, '_',"
                        + " '-', '.' and ':'");
            }
        }
    }
}
