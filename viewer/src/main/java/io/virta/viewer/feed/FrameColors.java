package io.virta.viewer.feed;

import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.bus.Frame;

/** PROVISIONAL: the frame's colour metadata, until the bus carries it. */
final class FrameColors {
    private FrameColors() {
    }

    static ColorMatrix matrix(Frame frame) {
        return ColorMatrix.UNSPECIFIED;
    }

    static ColorRange range(Frame frame) {
        return ColorRange.UNSPECIFIED;
    }
}
