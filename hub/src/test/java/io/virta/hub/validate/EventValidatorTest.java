package io.virta.hub.validate;

import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rule in events.proto's comments, and the wording of the reasons. */
class EventValidatorTest {
    private static final long NOW = 1_795_860_000_000_000L;
    private final EventValidator any = new EventValidator(CameraDirectory.anyValidName(), () -> NOW);
    private final EventValidator lobbyOnly = new EventValidator(CameraDirectory.of(List.of("lobby", "yard")), () -> NOW);

    private static final BoundingBox BOX = BoundingBox.newBuilder().setX(0.25f).setY(0.5f).setWidth(0.5f)
            .setHeight(0.5f).setLabel("person").setScore(0.9f).build();
    private static final Event GOOD = Event.newBuilder().setType("motion").setCamera("lobby").setCaptureTimeMicros(NOW)
            .addBoxes(BOX).putAttributes("moving_fraction", "0.12").setSource("motion").build();

    private String reason(UnaryOperator<Event.Builder> change) {
        return any.check(change.apply(GOOD.toBuilder()).build(), 2);
    }

    private String boxReason(UnaryOperator<BoundingBox.Builder> change) {
        return any.check(GOOD.toBuilder().setBoxes(0, change.apply(BOX.toBuilder())).build(), 2);
    }

    @Test
    void aValidEventPasses() {
        assertNull(any.check(GOOD, 0));
        assertNull(lobbyOnly.check(GOOD, 0));
        assertNull(any.check(Event.newBuilder().setType("a").setCamera("c").setCaptureTimeMicros(1).build(), 0),
                "boxes, attributes and source are optional");
        assertNull(reason(b -> b.setType("person.enter:v2-x_1")));
        assertNull(reason(b -> b.setCaptureTimeMicros(NOW + 60_000_000)), "60 s ahead is still fine");
        assertNull(boxReason(b -> b.setX(0).setY(0).setWidth(1).setHeight(1).setScore(0)));
        assertNull(boxReason(b -> b.setX(0.7f).setWidth(0.3f).setScore(1)), "float rounding at the edge");
        assertNull(boxReason(b -> b.setLabel("ä".repeat(64))), "64 characters, more bytes");
        assertNull(reason(b -> b.putAttributes("k".repeat(64), "v".repeat(1024))));
        assertNull(reason(b -> b.setSource("s".repeat(128))));
    }

    @Test
    void type() {
        assertEquals("events[2].type: is required, e.g. \"motion\"", reason(b -> b.setType("")));
        assertEquals("events[2].type: 'motion detected' must be 1..64 characters of letters, digits, '_', '-', '.' and ':'",
                reason(b -> b.setType("motion detected")));
        assertTrue(reason(b -> b.setType("x".repeat(65))).startsWith("events[2].type: 'xxxx"));
        assertTrue(reason(b -> b.setType("bewegung-ä")).startsWith("events[2].type:"));
    }

    @Test
    void camera() {
        assertEquals("events[2].camera: is required: the name of the camera whose picture it is",
                reason(b -> b.setCamera("")));
        assertTrue(reason(b -> b.setCamera("a/b")).startsWith("events[2].camera: 'a/b' is not a camera name"));
        assertTrue(reason(b -> b.setCamera(".hidden")).startsWith("events[2].camera: '.hidden' is not a camera name"));
        assertTrue(reason(b -> b.setCamera("c".repeat(60))).contains("is not a camera name"));
        assertNull(reason(b -> b.setCamera("c".repeat(59))));
        assertEquals("events[0].camera: 'garage' is not a camera of this hub; known cameras: lobby, yard",
                lobbyOnly.check(GOOD.toBuilder().setCamera("garage").build(), 0));
        assertTrue(reason(b -> b.setCamera("bad\ncamera")).contains("'bad?camera'"), "control characters are not echoed");
    }

    @Test
    void captureTime() {
        assertTrue(reason(b -> b.setCaptureTimeMicros(0)).startsWith("events[2].capture_time_micros: 0 must be positive"));
        assertTrue(reason(b -> b.setCaptureTimeMicros(-1)).startsWith("events[2].capture_time_micros: -1 must be positive"));
        assertEquals("events[2].capture_time_micros: " + (NOW + 75_300_000) + " is 75.3 s ahead of the hub's clock (at most"
                + " 60 s is accepted); check the worker's clock, and that the time is in microseconds",
                reason(b -> b.setCaptureTimeMicros(NOW + 75_300_000)));
        assertTrue(reason(b -> b.setCaptureTimeMicros(NOW * 1000)).contains("ahead of the hub's clock"), "nanoseconds by mistake");
    }

    @Test
    void boxes() {
        assertEquals("events[2].boxes[0].width: 1.2 is outside (0, 1] (coordinates are fractions of the picture's width"
                + " and height)", boxReason(b -> b.setWidth(1.2f)));
        assertTrue(boxReason(b -> b.setWidth(0)).startsWith("events[2].boxes[0].width: 0.0 is outside (0, 1]"));
        assertTrue(boxReason(b -> b.setHeight(-0.1f)).startsWith("events[2].boxes[0].height: -0.1 is outside (0, 1]"));
        assertTrue(boxReason(b -> b.setX(-0.01f)).startsWith("events[2].boxes[0].x: -0.01 is outside [0, 1)"));
        assertTrue(boxReason(b -> b.setY(1)).startsWith("events[2].boxes[0].y: 1.0 is outside [0, 1)"));
        assertEquals("events[2].boxes[0].x: NaN is not a finite number", boxReason(b -> b.setX(Float.NaN)));
        assertEquals("events[2].boxes[0].height: Infinity is not a finite number",
                boxReason(b -> b.setHeight(Float.POSITIVE_INFINITY)));
        assertTrue(boxReason(b -> b.setX(0.6f).setWidth(0.5f)).startsWith("events[2].boxes[0]: x + width = 1.1"));
        assertTrue(boxReason(b -> b.setY(0.6f).setHeight(0.5f)).startsWith("events[2].boxes[0]: y + height = 1.1"));
        assertEquals("events[2].boxes[0].score: 1.5 is outside [0, 1]", boxReason(b -> b.setScore(1.5f)));
        assertEquals("events[2].boxes[0].score: NaN is outside [0, 1]", boxReason(b -> b.setScore(Float.NaN)));
        assertEquals("events[2].boxes[0].label: 65 characters; at most 64", boxReason(b -> b.setLabel("l".repeat(65))));
        Event.Builder many = GOOD.toBuilder().clearBoxes();
        for (int i = 0; i < 257; i++) {
            many.addBoxes(BOX);
        }
        assertEquals("events[2].boxes: 257 boxes; at most 256 are accepted", any.check(many.build(), 2));
        many.removeBoxes(256);
        assertNull(any.check(many.build(), 2));
        assertTrue(any.check(GOOD.toBuilder().addBoxes(BOX).addBoxes(BOX.toBuilder().setScore(-1)).build(), 0)
                .startsWith("events[0].boxes[2].score"), "the box's index is named");
    }

    @Test
    void attributesAndSource() {
        Event.Builder many = GOOD.toBuilder().clearAttributes();
        for (int i = 0; i < 65; i++) {
            many.putAttributes("k" + i, "v");
        }
        assertEquals("events[2].attributes: 65 entries; at most 64 are accepted", any.check(many.build(), 2));
        assertTrue(reason(b -> b.putAttributes("", "v")).startsWith("events[2].attributes: an empty key"));
        assertTrue(reason(b -> b.putAttributes("k".repeat(65), "v")).contains("the key has 65 characters; at most 64"));
        assertTrue(reason(b -> b.putAttributes("big", "é".repeat(513))).startsWith(
                "events[2].attributes['big']: the value has 1026 bytes; at most 1024"));
        assertEquals("events[2].source: 129 characters; at most 128", reason(b -> b.setSource("s".repeat(129))));
    }

    @Test
    void hubSetFieldsAreIgnored() {
        assertNull(reason(b -> b.setId(12345).setJournalTimeMicros(-7)));
    }
}
