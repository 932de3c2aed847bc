package io.virta.viewer.overlay;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The one overlay rule the viewer and the web page share: the next event from the same source and
 * camera replaces the earlier one's boxes once its picture is on screen, and the overlay time clears
 * only boxes nothing replaced. The demo's case: a detector reporting 4 times a second with a 1.5 s
 * overlay time showed about 6 events' boxes trailing behind each moving shape.
 */
class OverlayReplacementTest {
    private static final long T = 1_800_000_000_000_000L;
    private static final long NOW = 1_000_000_000L;
    private final OverlayTiming timing = new OverlayTiming(1_500_000, 40_000);
    private final OverlayStore store = new OverlayStore(List.of("lobby"), 64, timing);
    private final OverlayBoxes copy = store.newCopy();
    private final boolean[] visible = new boolean[64];

    /** The labels of the boxes that show while the tile presents the picture captured at {@code presented}. */
    private List<String> shownAt(long presented) {
        store.copy(0, copy);
        int shown = copy.markVisible(timing, presented, NOW, visible);
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < copy.size(); i++) {
            if (visible[i]) {
                labels.add(copy.label(i));
            }
        }
        assertEquals(shown, labels.size());
        return labels;
    }

    @Test
    void aDetectorReportingFourTimesASecondShowsOnlyItsLatestBoxes() {
        for (int k = 0; k < 8; k++) {
            long capture = T + k * 250_000L;
            store.add(0, "motion", "motion-lobby", capture, NOW, 0.1f * k, 0.1f, 0.1f, 0.1f, "square" + k, 0.9f);
            store.add(0, "motion", "motion-lobby", capture, NOW, 0.1f * k, 0.5f, 0.1f, 0.1f, "circle" + k, 0.9f);
        }
        // Two seconds of events (8), at most 1.5 s old: six events would be in time, one is shown.
        assertEquals(List.of("square7", "circle7"), shownAt(T + 7 * 250_000L + 100_000));
        // Earlier in the video, the event of that moment (not a later one: its picture is not on screen yet).
        assertEquals(List.of("square3", "circle3"), shownAt(T + 3 * 250_000L + 10_000));
        // Within the slack before its picture, the next event takes over.
        assertEquals(List.of("square4", "circle4"), shownAt(T + 4 * 250_000L - 40_000));
    }

    @Test
    void otherSourcesKeepTheirBoxesAndTheOverlayTimeClearsWhatNothingReplaced() {
        store.add(0, "detection", "people", T, NOW, 0.2f, 0.2f, 0.3f, 0.5f, "person", 0.8f);
        store.add(0, "motion", "motion-lobby", T + 100_000, NOW, 0f, 0f, 1f, 1f, "m1", 0.5f);
        store.add(0, "motion", "motion-lobby", T + 350_000, NOW, 0f, 0f, 1f, 1f, "m2", 0.5f);
        assertEquals(List.of("person", "m2"), shownAt(T + 400_000), "the motion source replaced its own, not the person");
        assertEquals(List.of("m2"), shownAt(T + 1_470_000), "the person's 1.5 s are over; m2 has 0.38 s left");
        assertEquals(List.of(), shownAt(T + 1_900_000), "m2's 1.5 s are over too: nothing replaced it, time cleared it");
    }

    @Test
    void anEventWithoutBoxesReplacesItsSourcesEarlierBoxes() {
        store.add(0, "motion", "motion-lobby", T, NOW, 0f, 0f, 1f, 1f, "moving", 0.5f);
        store.addEmpty(0, "motion", "motion-lobby", T + 250_000, NOW);
        assertEquals(List.of("moving"), shownAt(T + 100_000));
        assertEquals(List.of(), shownAt(T + 250_000), "the motion stopped: its box goes with the next report");
    }
}
