package io.virta.bench.viewer;

import io.virta.bench.ProcessCpu;
import io.virta.testkit.Xvfb;

import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.viewer.ColorBars;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark reads the viewer's printed counters back: a real viewer process on the benchmark's own
 * Xvfb, showing a real bus channel, must give it counters and redraws it can parse. Never a speed.
 */
class ViewerChildTest {
    @Test
    void readsTheViewersStatsLinesAndRedrawsBetweenTwoMoments() throws Exception {
        String channel = "vbench.test." + ProcessHandle.current().pid();
        try (Xvfb x = Xvfb.start(640, 360);
             ColorBars bars = ColorBars.start(channel, 320, 180, 25, ColorMatrix.UNSPECIFIED, ColorRange.UNSPECIFIED)) {
            ViewerChild.Window window;
            try (ViewerChild viewer = ViewerChild.start(List.of("channel:" + channel, "--hub", "none", "--display",
                    x.display()), List.of(() -> ProcessCpu.seconds(ProcessHandle.current().pid())))) {
                window = viewer.measure(0, 2, 30);
            }
            assertEquals(1, window.streams().size(), "one distinct stream");
            StreamCounters shown = window.total();
            assertTrue(shown.received() > 0 && shown.presented() > 0, "frames received and presented: " + shown);
            assertTrue(window.redraws() > 0, "the window was redrawn: " + window.redraws());
            assertTrue(window.seconds() > 0, "the viewer's own clock between the two blocks: " + window.seconds());
            assertTrue(window.viewerCpu() > 0, "the viewer process used CPU time: " + window.viewerCpu());
            assertEquals(1, window.companionCpu().length);
        }
    }
}
