package io.virta.viewer.overlay;

import io.virta.viewer.gl.text.TextRenderer;

/**
 * One colour per label, the same in every run and every viewer: a fixed palette of colours that stand
 * out on video, indexed by a hash of the label's characters ({@link String#hashCode()} is specified, so
 * "person" is always the same colour).
 */
public final class LabelPalette {
    private static final int OPAQUE = 255;
    private static final int[] COLOURS = {
            TextRenderer.rgba(255, 64, 64, OPAQUE),    // red
            TextRenderer.rgba(64, 224, 64, OPAQUE),    // green
            TextRenderer.rgba(64, 160, 255, OPAQUE),   // blue
            TextRenderer.rgba(255, 224, 32, OPAQUE),   // yellow
            TextRenderer.rgba(255, 64, 255, OPAQUE),   // magenta
            TextRenderer.rgba(32, 240, 240, OPAQUE),   // cyan
            TextRenderer.rgba(255, 144, 32, OPAQUE),   // orange
            TextRenderer.rgba(176, 112, 255, OPAQUE),  // violet
            TextRenderer.rgba(160, 255, 96, OPAQUE),   // lime
            TextRenderer.rgba(255, 128, 176, OPAQUE),  // pink
    };

    private LabelPalette() {
    }

    /** The label's colour, {@code 0xRRGGBBAA}, opaque. */
    public static int colour(String label) {
        // The low bits of String.hashCode vary little between similar short labels; spread them first.
        int h = label.hashCode() * 0x9E3779B9;
        return COLOURS[Math.floorMod(h ^ (h >>> 16), COLOURS.length)];
    }

    /** How many colours there are. */
    public static int size() {
        return COLOURS.length;
    }
}
