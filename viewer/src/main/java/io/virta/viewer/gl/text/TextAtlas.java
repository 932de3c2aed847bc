package io.virta.viewer.gl.text;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The printable ASCII characters of one monospaced font, rasterized once (with AWT, headless) into a
 * single-channel coverage bitmap for an R8 texture, plus one fully covered cell that solid rectangles
 * sample, so that text and rectangles come out of one texture and one draw call.
 *
 * <p>Layout: {@value #COLUMNS} columns by {@value #ROWS} rows of cells; cell {@code i} holds character
 * {@code ' ' + i} for i in 0..94, and cell {@value #SOLID_CELL} is solid. Each cell is
 * {@link #glyphWidth()} by {@link #lineHeight()} pixels with a {@value #GUTTER}-pixel empty gutter around it,
 * so that filtering never reads a neighbour. Rows run top to bottom as uploaded, so texture coordinate
 * v grows downwards like the framebuffer's y in {@link TextRenderer}.
 */
public final class TextAtlas {
    static final int FIRST_CHAR = ' ';
    static final int LAST_CHAR = '~';
    static final int COLUMNS = 16;
    static final int ROWS = 6;
    static final int SOLID_CELL = LAST_CHAR - FIRST_CHAR + 1;
    private static final int GUTTER = 1;
    private static final int REPLACEMENT = '?' - FIRST_CHAR;

    private final int glyphWidth;
    private final int lineHeight;
    private final int width;
    private final int height;
    private final ByteBuffer pixels;
    // Texture coordinates per cell, in 0..1 of the atlas.
    private final float[] u0 = new float[COLUMNS * ROWS];
    private final float[] v0 = new float[COLUMNS * ROWS];
    private final float[] u1 = new float[COLUMNS * ROWS];
    private final float[] v1 = new float[COLUMNS * ROWS];

    private TextAtlas(int glyphWidth, int lineHeight, int width, int height, ByteBuffer pixels) {
        this.glyphWidth = glyphWidth;
        this.lineHeight = lineHeight;
        this.width = width;
        this.height = height;
        this.pixels = pixels;
        for (int cell = 0; cell < COLUMNS * ROWS; cell++) {
            u0[cell] = (float) cellLeft(cell) / width;
            v0[cell] = (float) cellTop(cell) / height;
            u1[cell] = (float) (cellLeft(cell) + glyphWidth) / width;
            v1[cell] = (float) (cellTop(cell) + lineHeight) / height;
        }
        // Solid rectangles sample the centre of the solid cell only, so no edge texel ever blends in.
        float u = (u0[SOLID_CELL] + u1[SOLID_CELL]) / 2;
        float v = (v0[SOLID_CELL] + v1[SOLID_CELL]) / 2;
        u0[SOLID_CELL] = u1[SOLID_CELL] = u;
        v0[SOLID_CELL] = v1[SOLID_CELL] = v;
    }

    /**
     * Rasterizes the monospaced bold font ({@link Font#MONOSPACED}; DejaVu Sans Mono Bold where installed)
     * at {@code pixelSize} pixels per em. Sets {@code java.awt.headless=true} when nothing set it before,
     * so that AWT never looks for a display.
     */
    public static TextAtlas rasterize(int pixelSize) {
        if (pixelSize < 6 || pixelSize > 128) {
            throw new IllegalArgumentException("text pixel size " + pixelSize + " is outside 6..128");
        }
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Font font = new Font(Font.MONOSPACED, Font.BOLD, pixelSize);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D probeGraphics = probe.createGraphics();
        FontMetrics metrics = probeGraphics.getFontMetrics(font);
        probeGraphics.dispose();
        int glyphWidth = metrics.charWidth('M');
        int lineHeight = metrics.getAscent() + metrics.getDescent();
        int width = COLUMNS * (glyphWidth + 2 * GUTTER);
        int height = ROWS * (lineHeight + 2 * GUTTER);

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
        g.setFont(font);
        g.setColor(Color.WHITE);
        char[] one = new char[1];
        for (int c = FIRST_CHAR; c <= LAST_CHAR; c++) {
            int cell = c - FIRST_CHAR;
            one[0] = (char) c;
            g.setClip(cellLeft(cell, glyphWidth), cellTop(cell, lineHeight), glyphWidth, lineHeight);
            g.drawChars(one, 0, 1, cellLeft(cell, glyphWidth), cellTop(cell, lineHeight) + metrics.getAscent());
        }
        g.setClip(null);
        g.fillRect(cellLeft(SOLID_CELL, glyphWidth), cellTop(SOLID_CELL, lineHeight), glyphWidth, lineHeight);
        g.dispose();

        byte[] gray = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        ByteBuffer pixels = ByteBuffer.allocateDirect(gray.length).order(ByteOrder.nativeOrder());
        pixels.put(gray).flip();
        return new TextAtlas(glyphWidth, lineHeight, width, height, pixels);
    }

    private int cellLeft(int cell) {
        return cellLeft(cell, glyphWidth);
    }

    private int cellTop(int cell) {
        return cellTop(cell, lineHeight);
    }

    private static int cellLeft(int cell, int glyphWidth) {
        return (cell % COLUMNS) * (glyphWidth + 2 * GUTTER) + GUTTER;
    }

    private static int cellTop(int cell, int lineHeight) {
        return (cell / COLUMNS) * (lineHeight + 2 * GUTTER) + GUTTER;
    }

    /** The cell that draws {@code c}: its own for printable ASCII, '?' for anything else. */
    static int cell(char c) {
        return c >= FIRST_CHAR && c <= LAST_CHAR ? c - FIRST_CHAR : REPLACEMENT;
    }

    /** Every character's advance in pixels (the font is monospaced). */
    public int glyphWidth() {
        return glyphWidth;
    }

    /** Ascent plus descent in pixels: the height of a line of text and of each cell. */
    public int lineHeight() {
        return lineHeight;
    }

    /** The atlas's width in pixels. */
    public int width() {
        return width;
    }

    /** The atlas's height in pixels. */
    public int height() {
        return height;
    }

    /** Coverage 0..255, one byte per pixel, rows top to bottom with no padding; a read-only view. */
    public ByteBuffer pixels() {
        return pixels.asReadOnlyBuffer();
    }

    /** The coverage bytes themselves, for the texture upload. */
    ByteBuffer pixelBuffer() {
        return pixels;
    }

    /** Coverage of pixel (x, y), 0..255. */
    public int coverage(int x, int y) {
        return pixels.get(y * width + x) & 0xFF;
    }

    /** The top-left pixel of the cell that draws {@code c}. */
    public int cellX(char c) {
        return cellLeft(cell(c));
    }

    /** The top-left pixel of the cell that draws {@code c}. */
    public int cellY(char c) {
        return cellTop(cell(c));
    }

    float u0(int cell) {
        return u0[cell];
    }

    float v0(int cell) {
        return v0[cell];
    }

    float u1(int cell) {
        return u1[cell];
    }

    float v1(int cell) {
        return v1[cell];
    }
}
