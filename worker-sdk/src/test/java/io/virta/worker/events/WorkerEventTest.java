package io.virta.worker.events;


import io.virta.protos.events.v1.Event;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerEventTest {
    private static WorkerEvent.Builder motion() {
        return WorkerEvent.builder("motion").camera("lobby").captureTimeMicros(1_764_000_000_000_000L);
    }

    @Test
    void buildsTheEventTheHubExpects() {
        Event e = motion().box(0.25, 0.4, 0.1, 0.2, "motion", 0.83).attribute("moving_fraction", "0.012")
                .source("motion").build();
        assertEquals("motion", e.getType());
        assertEquals("lobby", e.getCamera());
        assertEquals(0.25f, e.getBoxes(0).getX());
        assertEquals("0.012", e.getAttributesOrThrow("moving_fraction"));
        assertEquals("{\"type\":\"motion\",\"camera\":\"lobby\",\"capture_time_micros\":1764000000000000,"
                + "\"source\":\"motion\",\"boxes\":[{\"x\":0.25,\"y\":0.4,\"width\":0.1,\"height\":0.2,"
                + "\"label\":\"motion\",\"score\":0.83}],\"attributes\":{\"moving_fraction\":\"0.012\"}}",
                EventPrinter.toJson(e));
    }

    @Test
    void badBoxesNameTheirField() {
        assertMessage("boxes[0].width: 1.5 is outside (0, 1]", () -> motion().box(0, 0, 1.5, 0.1, "", 1));
        assertMessage("boxes[1].x: -0.1 is outside [0, 1]",
                () -> motion().box(0, 0, 0.1, 0.1, "", 1).box(-0.1, 0, 0.1, 0.1, "", 1));
        assertMessage("boxes[0].y: NaN", () -> motion().box(0, Double.NaN, 0.1, 0.1, "", 1));
        assertMessage("boxes[0].height: 0.0 is outside (0, 1]", () -> motion().box(0, 0, 0.1, 0, "", 1));
        assertMessage("boxes[0].x + extent: 1.2", () -> motion().box(0.7, 0, 0.5, 0.1, "", 1));
        assertMessage("boxes[0].score: 2.0", () -> motion().box(0, 0, 0.1, 0.1, "", 2));
        assertMessage("type: 'no spaces'", () -> WorkerEvent.builder("no spaces"));
        assertMessage("capture_time_micros: is required", () -> WorkerEvent.builder("x").camera("c").build());
        assertMessage("camera: is required", () -> WorkerEvent.builder("x").captureTimeMicros(1).build());
    }

    @Test
    void roundingPastTheEdgeIsPulledBack() {
        // 1/3 + 2/3 is 1 in doubles but may exceed 1 once each is a float.
        for (int w = 1; w < 700; w += 7) {
            double x = (w * 0.37 % 1);
            double width = 1 - x;
            if (width <= 0) {
                continue;
            }
            Event e = motion().box(x, 0, width, 1, "", 1).build();
            assertTrue(e.getBoxes(0).getX() + e.getBoxes(0).getWidth() <= 1f);
            assertTrue(e.getBoxes(0).getWidth() > 0);
        }
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
