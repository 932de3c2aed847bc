package io.virta.demo.camera;

/**
 * The 5x7 bitmap font of the demo camera's burned-in clock: digits, colon, dot and space, nothing
 * more. Glyphs are drawn here as text so that a reader can see (and fix) them; the class turns them
 * into one bit mask per row once.
 */
final class ClockFont {
    static final int GLYPH_WIDTH = 5;
    static final int GLYPH_HEIGHT = 7;
    /** Glyph index of ':' (digits are 0..9 and map to themselves). */
    static final int COLON = 10;
    static final int DOT = 11;
    static final int SPACE = 12;

    private static final String[][] DRAWINGS = {
            {" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "}, // 0
            {"  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "}, // 1
            {" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"}, // 2
            {"#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "}, // 3
            {"   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "}, // 4
            {"#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "}, // 5
            {"  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "}, // 6
            {"#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "}, // 7
            {" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "}, // 8
            {" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "}, // 9
            {"     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     "}, // :
            {"     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "}, // .
            {"     ", "     ", "     ", "     ", "     ", "     ", "     "}, // space
    };

    /** ROWS[glyph][row]: bit (GLYPH_WIDTH - 1 - column) set where the glyph is lit. */
    private static final int[][] ROWS = new int[DRAWINGS.length][GLYPH_HEIGHT];

    static {
        for (int glyph = 0; glyph < DRAWINGS.length; glyph++) {
            for (int row = 0; row < GLYPH_HEIGHT; row++) {
                String line = DRAWINGS[glyph][row];
                for (int column = 0; column < GLYPH_WIDTH; column++) {
                    if (line.charAt(column) == '#') {
                        ROWS[glyph][row] |= 1 << (GLYPH_WIDTH - 1 - column);
                    }
                }
            }
        }
    }

    private ClockFont() {
    }

    static int glyphCount() {
        return DRAWINGS.length;
    }

    static boolean lit(int glyph, int row, int column) {
        return (ROWS[glyph][row] & (1 << (GLYPH_WIDTH - 1 - column))) != 0;
    }

    /** The character a glyph index stands for, for tests that read the clock back. */
    static char character(int glyph) {
        return switch (glyph) {
            case COLON -> ':';
            case DOT -> '.';
            case SPACE -> ' ';
            default -> (char) ('0' + glyph);
        };
    }
}
