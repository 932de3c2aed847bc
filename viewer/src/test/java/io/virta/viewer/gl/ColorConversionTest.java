package io.virta.viewer.gl;

import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shader's coefficients against values from the standards. */
class ColorConversionTest {
    private final int[] rgb = new int[3];

    @Test
    void bt601LimitedMatchesTheTextbookCoefficients() {
        ColorConversion c = new ColorConversion().set(ColorMatrix.BT601, ColorRange.LIMITED, 480);
        float[] m = c.matrix();
        assertEquals(1.164f, m[0], 0.001f);
        assertEquals(1.596f, m[2], 0.001f);
        assertEquals(-0.392f, m[4], 0.001f);
        assertEquals(-0.813f, m[5], 0.001f);
        assertEquals(2.017f, m[7], 0.001f);
    }

    @Test
    void blackAndWhiteAreExactInBothRanges() {
        ColorConversion limited = new ColorConversion().set(ColorMatrix.BT709, ColorRange.LIMITED, 1080);
        limited.toRgb(16, 128, 128, rgb);
        assertArrayEquals(new int[] {0, 0, 0}, rgb);
        limited.toRgb(235, 128, 128, rgb);
        assertArrayEquals(new int[] {255, 255, 255}, rgb);
        ColorConversion full = new ColorConversion().set(ColorMatrix.BT709, ColorRange.FULL, 1080);
        full.toRgb(0, 128, 128, rgb);
        assertArrayEquals(new int[] {0, 0, 0}, rgb);
        full.toRgb(255, 128, 128, rgb);
        assertArrayEquals(new int[] {255, 255, 255}, rgb);
    }

    @Test
    void bt709RedRoundTrips() {
        // BT.709 limited-range red (255, 0, 0) is Y'CbCr (63, 102, 240).
        new ColorConversion().set(ColorMatrix.BT709, ColorRange.LIMITED, 720).toRgb(63, 102, 240, rgb);
        assertTrue(rgb[0] >= 252 && rgb[1] <= 3 && rgb[2] <= 3, rgb[0] + "," + rgb[1] + "," + rgb[2]);
    }

    @Test
    void untaggedStreamsGetWhatPlayersAssume() {
        ColorConversion c = new ColorConversion();
        c.set(ColorMatrix.UNSPECIFIED, ColorRange.UNSPECIFIED, 720);
        assertEquals(ColorMatrix.BT709, c.appliedMatrix());
        assertEquals(ColorRange.LIMITED, c.appliedRange());
        c.set(ColorMatrix.UNSPECIFIED, ColorRange.UNSPECIFIED, 576);
        assertEquals(ColorMatrix.BT601, c.appliedMatrix());
    }
}
