package io.virta.viewer.gl.text;

import java.util.Objects;

/**
 * Draws text (and the rectangles around it) into the current window: each character a quad textured
 * from a {@link TextAtlas}, collected in a pre-allocated vertex buffer and drawn with one GL call per
 * {@link #end()}, so that a frame's labels cost no allocation and few draw calls. When more quads are
 * added than the buffer holds, the full buffer is drawn and filling starts again, so nothing is cut off.
 *
 * <p>Coordinates are framebuffer pixels, origin at the top-left; colours are {@code 0xRRGGBBAA}.
 * Characters outside printable ASCII are drawn as '?'.
 *
 * <pre>{@code
 * TextRenderer text = TextRenderer.create(TextAtlas.rasterize(16));   // first window's context current
 * // per window and frame, with that window's context current:
 * text.begin(windowIndex, framebufferWidth, framebufferHeight);
 * text.text("NO SIGNAL", x, y, 2f, TextRenderer.rgba(255, 255, 255, 255), TextRenderer.rgba(0, 0, 0, 160));
 * text.end();
 * }</pre>
 *
 * <p>Render thread only. Drawing leaves blending disabled and this renderer's program, vertex array
 * and texture (unit 0) bound.
 */
public final class TextRenderer implements AutoCloseable {
    /** Quads per draw call; labels of a few dozen boxes fit many times over. */
    public static final int DEFAULT_QUAD_CAPACITY = 4096;
    /** Pixels between text and the edge of its background box, at scale 1. */
    public static final int BACKGROUND_PADDING = 2;

    private final QuadBatch batch;
    private final TextAtlas atlas;
    /** Lets char[] text take the CharSequence path without a wrapper per call (render thread only). */
    private final CharArrayView charView = new CharArrayView();

    private TextRenderer(QuadBatch batch) {
        this.batch = batch;
        this.atlas = batch.atlas();
    }

    /** Creates the GL objects shared by all windows; a context of the share group must be current. */
    public static TextRenderer create(TextAtlas atlas) {
        return create(atlas, DEFAULT_QUAD_CAPACITY);
    }

    /** As {@link #create(TextAtlas)}, with room for {@code quadCapacity} quads per draw call. */
    public static TextRenderer create(TextAtlas atlas, int quadCapacity) {
        return new TextRenderer(new QuadBatch(atlas, quadCapacity));
    }

    /** {@code 0xRRGGBBAA} from components 0..255. */
    public static int rgba(int red, int green, int blue, int alpha) {
        return (red & 0xFF) << 24 | (green & 0xFF) << 16 | (blue & 0xFF) << 8 | (alpha & 0xFF);
    }

    public TextAtlas atlas() {
        return atlas;
    }

    /**
     * Starts drawing into window {@code windowIndex} (any small number the caller keeps per window), whose
     * context is current and whose whole framebuffer is the viewport. The window's vertex array and buffer
     * are created on its first call. Every begin() needs its {@link #end()} before the next one.
     */
    public void begin(int windowIndex, int framebufferWidth, int framebufferHeight) {
        batch.begin(windowIndex, framebufferWidth, framebufferHeight);
    }

    /** Draws what was added since {@link #begin}. */
    public void end() {
        batch.end();
    }

    /** A filled rectangle; {@code rgba}'s alpha blends it over what is drawn. */
    public void rectangle(float x, float y, float width, float height, int rgba) {
        if (width > 0 && height > 0) {
            batch.solid(x, y, x + width, y + height, rgba);
        }
    }

    /** {@code text} at scale 1 with its top-left corner at (x, y); returns its width in pixels. */
    public float text(CharSequence text, float x, float y, int rgba) {
        return text(text, x, y, 1f, rgba, 0);
    }

    /**
     * {@code text} with its top-left corner at (x, y), glyphs scaled by {@code scale}, over a background box
     * of colour {@code backgroundRgba} (padding {@value #BACKGROUND_PADDING} pixels times scale; alpha 0: none).
     * Returns the text's width in pixels, without the padding.
     */
    public float text(CharSequence text, float x, float y, float scale, int rgba, int backgroundRgba) {
        int length = text.length();
        background(x, y, length, scale, backgroundRgba);
        float glyphWidth = atlas.glyphWidth() * scale;
        float lineHeight = atlas.lineHeight() * scale;
        // Whole pixels keep glyphs as sharp as they were rasterized.
        float left = Math.round(x);
        float top = Math.round(y);
        for (int i = 0; i < length; i++) {
            glyph(text.charAt(i), left + i * glyphWidth, top, glyphWidth, lineHeight, rgba);
        }
        return length * glyphWidth;
    }

    /** As {@link #text(CharSequence, float, float, float, int, int)}, for {@code length} chars of {@code chars}. */
    public float text(char[] chars, int offset, int length, float x, float y, float scale, int rgba, int backgroundRgba) {
        return text(charView.of(chars, offset, length), x, y, scale, rgba, backgroundRgba);
    }

    private void background(float x, float y, int length, float scale, int backgroundRgba) {
        if ((backgroundRgba & 0xFF) != 0 && length > 0) {
            float pad = BACKGROUND_PADDING * scale;
            float left = Math.round(x);
            float top = Math.round(y);
            batch.solid(left - pad, top - pad, left + textWidth(length, scale) + pad,
                    top + lineHeight(scale) + pad, backgroundRgba);
        }
    }

    private void glyph(char c, float x, float y, float width, float height, int rgba) {
        if (c != ' ') {
            batch.quad(x, y, x + width, y + height, TextAtlas.cell(c), rgba);
        }
    }

    /** The width of {@code characters} characters at {@code scale}, in pixels. */
    public float textWidth(int characters, float scale) {
        return characters * atlas.glyphWidth() * scale;
    }

    /** The height of a line at {@code scale}, in pixels. */
    public float lineHeight(float scale) {
        return atlas.lineHeight() * scale;
    }

    /** Frees window {@code windowIndex}'s vertex array and buffer; call with its context current, before destroying it. */
    public void releaseWindow(int windowIndex) {
        batch.releaseWindow(windowIndex);
    }

    /** Deletes the GL objects; a context of the share group must be current. */
    @Override
    public void close() {
        batch.close();
    }

    /** A reusable CharSequence over part of a char[]. */
    private static final class CharArrayView implements CharSequence {
        private char[] chars;
        private int offset;
        private int length;

        CharArrayView of(char[] chars, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, chars.length);
            this.chars = chars;
            this.offset = offset;
            this.length = length;
            return this;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            return chars[offset + index];
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new String(chars, offset + start, end - start);
        }

        @Override
        public String toString() {
            return new String(chars, offset, length);
        }
    }
}
