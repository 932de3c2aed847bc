package io.virta.cli;

import io.virta.viewer.ViewerOptions;
import io.virta.viewer.layout.StreamRef;
import io.virta.viewer.layout.WindowLayout;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code virta viewer}'s options into {@link ViewerOptions}: defaults, layouts, and mistakes named. */
class ViewerOptionsTest {
    @Test
    void oneCameraGetsAWindowSeveralAGrid() {
        ViewerOptions one = ViewerCommand.parse(new String[] {"lobby"});
        assertEquals(1, one.layout().windows().size());
        assertEquals(640, one.layout().windows().getFirst().width());
        ViewerOptions several = ViewerCommand.parse(new String[] {"lobby", "door,yard"});
        WindowLayout grid = several.layout().windows().getFirst();
        assertEquals(3, grid.tiles().size());
        assertEquals(2, grid.columns());
        assertEquals(2, grid.rows());
        assertEquals(100_000_000L, several.bufferNanos(), "msbuftime 100 ms by default");
        assertTrue(several.vsync());
        assertEquals(several.control(), several.hub(), "the hub defaults to the control address");
    }

    @Test
    void layoutsReplicasAndOptions() {
        ViewerOptions o = ViewerCommand.parse(new String[] {"a", "channel:b.yuv", "--layout", "windows",
                "--replicate", "3", "--size", "320x180", "--buffer-ms", "0", "--no-vsync", "--hub", "none",
                "--position", "10,20"});
        assertEquals(6, o.layout().windows().size());
        assertEquals(StreamRef.channel("b.yuv"), o.layout().windows().get(1).tiles().getFirst());
        assertEquals(10, o.layout().windows().getFirst().x());
        assertEquals(0, o.bufferNanos());
        assertEquals(4, o.queueFrames(), "at least 4 frames");
        assertFalse(o.vsync());
        assertNull(o.hub());
        ViewerOptions g = ViewerCommand.parse(new String[] {"a", "--grid", "4x1", "--replicate", "4"});
        assertEquals(4, g.layout().windows().getFirst().columns());
        assertEquals(1, g.layout().windows().getFirst().rows());
    }

    @Test
    void mistakesAreUsageErrorsNamingTheOption() {
        assertUsage("name at least one camera");
        assertUsage("--grid", "a", "b", "c", "--grid", "1x2");
        assertUsage("--grid", "a", "--grid", "2by2");
        assertUsage("--size", "a", "--size", "big");
        assertUsage("--buffer-ms", "a", "--buffer-ms", "-5");
        assertUsage("--replicate", "a", "--replicate", "0");
        assertUsage("--no-signal-seconds", "a", "--no-signal-seconds", "0");
        assertUsage("unknown option", "a", "--colour", "red");
    }

    private static void assertUsage(String expected, String... argv) {
        ParameterException e = assertThrows(ParameterException.class, () -> ViewerCommand.parse(argv));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
