package io.virta.viewer.gl.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextAtlasTest {
    private final TextAtlas atlas = TextAtlas.rasterize(16);

    @Test
    void everyPrintableCharacterHasACellWithInk() {
        assertEquals(10, atlas.glyphWidth(), "DejaVu Sans Mono Bold at 16 px advances 10 px");
        assertTrue(atlas.lineHeight() >= 16, "line height " + atlas.lineHeight());
        assertEquals(atlas.width() * atlas.height(), atlas.pixels().remaining());
        for (char c = '!'; c <= '~'; c++) {
            assertTrue(ink(c) > 0, "'" + c + "' is drawn");
        }
        assertEquals(0, ink(' '));
        assertTrue(ink('W') > ink('.'), "a W covers more than a full stop");
    }

    @Test
    void anythingElseIsAQuestionMark() {
        for (char c : new char[] {'é', '\n', '\u0000', '€', (char) 127}) {
            assertEquals(TextAtlas.cell('?'), TextAtlas.cell(c), "U+" + Integer.toHexString(c));
        }
        assertEquals(atlas.cellX('?'), atlas.cellX('ü'));
    }

    @Test
    void theSolidCellIsFullyCovered() {
        int cell = TextAtlas.SOLID_CELL;
        float u = atlas.u0(cell) * atlas.width();
        float v = atlas.v0(cell) * atlas.height();
        assertEquals(255, atlas.coverage((int) u, (int) v));
        assertEquals(255, atlas.coverage((int) u - 1, (int) v - 1));
    }

    @Test
    void sizesOutsideReasonAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> TextAtlas.rasterize(2));
        assertThrows(IllegalArgumentException.class, () -> TextAtlas.rasterize(1000));
    }

    private int ink(char c) {
        int sum = 0;
        for (int y = atlas.cellY(c); y < atlas.cellY(c) + atlas.lineHeight(); y++) {
            for (int x = atlas.cellX(c); x < atlas.cellX(c) + atlas.glyphWidth(); x++) {
                sum += atlas.coverage(x, y);
            }
        }
        return sum;
    }
}
