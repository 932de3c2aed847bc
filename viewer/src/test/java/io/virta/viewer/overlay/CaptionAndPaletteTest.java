package io.virta.viewer.overlay;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptionAndPaletteTest {
    @Test
    void captionIsTheLabelAndTheScoreWithTwoDecimals() {
        assertEquals("person 0.93", caption("person", 0.93f));
        assertEquals("person 0.07", caption("person", 0.0749f));
        assertEquals("car 1.00", caption("car", 1f));
        assertEquals("car 1.00", caption("car", 1.5f));
        assertEquals("motion", caption("motion", 0f), "no score when it is 0");
        assertEquals(64, caption("x".repeat(100), 0f).length(), "labels end at 64 characters");
    }

    private static String caption(String label, float score) {
        char[] into = new char[69];
        return new String(into, 0, OverlayRenderer.formatCaption(label, score, into));
    }

    @Test
    void aLabelAlwaysHasTheSameColourAndCommonLabelsDiffer() {
        assertEquals(LabelPalette.colour("person"), LabelPalette.colour(new String("person")));
        Set<Integer> colours = new HashSet<>();
        for (String label : List.of("person", "car", "motion", "bicycle", "dog", "truck")) {
            int colour = LabelPalette.colour(label);
            assertEquals(0xFF, colour & 0xFF, "opaque");
            colours.add(colour);
        }
        assertTrue(colours.size() >= 4, "six common labels get at least four colours: " + colours.size());
    }

    @Test
    void hubOptionIsAnAddressOrNone() {
        assertEquals(Optional.empty(), EventOverlays.parseHubOption("none"));
        assertEquals("127.0.0.1:50051", EventOverlays.parseHubOption("127.0.0.1:50051").orElseThrow().target());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventOverlays.parseHubOption("localhost"));
        assertTrue(e.getMessage().startsWith("--hub: "), e.getMessage());
    }
}
