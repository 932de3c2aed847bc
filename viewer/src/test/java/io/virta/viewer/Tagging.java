package io.virta.viewer;

import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.bus.WritableFrame;

/** PROVISIONAL: writes a frame's colour tags once the bus carries them. */
final class Tagging {
    private Tagging() {
    }

    static void tag(WritableFrame frame, ColorMatrix matrix, ColorRange range) {
    }
}
