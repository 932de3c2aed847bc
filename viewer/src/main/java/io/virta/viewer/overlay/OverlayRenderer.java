package io.virta.viewer.overlay;

import io.virta.viewer.gl.text.TextRenderer;

import static org.lwjgl.opengl.GL33C.GL_SCISSOR_TEST;
import static org.lwjgl.opengl.GL33C.glDisable;
import static org.lwjgl.opengl.GL33C.glEnable;
import static org.lwjgl.opengl.GL33C.glScissor;

/**
 * Draws a tile's boxes over its video: each box as a {@value #LINE_WIDTH}-pixel outline in its label's
 * colour ({@link LabelPalette}), and above its top-left corner a caption "label score" (e.g.
 * "person 0.93") in the same colour on a dark background; below the box's top edge instead when there is
 * no room above it inside the picture. The caption is the event type when the box has no label, and the
 * score is left out when it is 0. Nothing is drawn outside the picture's rectangle.
 *
 * <p>Which boxes: those of the tile's camera that {@link OverlayBoxes#markVisible} shows at the tile's
 * presented capture time (each source's latest event that is on screen, for the overlay time at most). Render thread only; a draw allocates nothing. GL objects are the {@link TextRenderer}'s,
 * which the caller owns (it draws camera names and "NO SIGNAL" with it too).
 */
public final class OverlayRenderer {
    /** Outline thickness in framebuffer pixels (wide lines do not exist in a core profile: quads instead). */
    public static final int LINE_WIDTH = 2;
    /** Behind captions: black, about 60% opaque. */
    public static final int CAPTION_BACKGROUND = TextRenderer.rgba(0, 0, 0, 160);
    /** Labels are at most 64 characters (the hub refuses longer ones), then " 0.93". */
    private static final int MAX_LABEL = 64;

    private final OverlayStore store;
    private final OverlayTiming timing;
    private final TextRenderer text;
    private final OverlayBoxes boxes;
    private final boolean[] visible;
    private final char[] caption = new char[MAX_LABEL + 5];
    private int lastDrawn;

    public OverlayRenderer(OverlayStore store, TextRenderer text) {
        this.store = store;
        this.timing = store.timing();
        this.text = text;
        this.boxes = store.newCopy();
        this.visible = new boolean[store.boxesPerCamera()];
    }

    /** The key of a camera for {@link #draw}; -1 when it has no overlays (draw then does nothing). */
    public int cameraKey(String camera) {
        return store.cameraKey(camera);
    }

    /**
     * Draws camera {@code cameraKey}'s boxes into the current window (context current, viewport the whole
     * framebuffer), with the {@link TextRenderer}'s own begin() and end(): call it outside yours. Clips
     * with the scissor test and leaves it disabled.
     *
     * @param windowIndex            the window, as the caller numbers them (its GL objects are made on first use)
     * @param videoX                 where the picture is drawn, framebuffer pixels from the left
     * @param videoY                 where the picture is drawn, framebuffer pixels from the top
     * @param presentedCaptureMicros the capture time of the picture the tile shows now (0: none)
     * @param nowNanos               {@link System#nanoTime()} now
     */
    public void draw(int windowIndex, int cameraKey, int videoX, int videoY, int videoWidth, int videoHeight,
                     int framebufferWidth, int framebufferHeight, long presentedCaptureMicros, long nowNanos) {
        lastDrawn = 0;
        if (cameraKey < 0 || videoWidth <= 0 || videoHeight <= 0) {
            return;
        }
        store.copy(cameraKey, boxes);
        int shown = boxes.markVisible(timing, presentedCaptureMicros, nowNanos, visible);
        if (shown == 0) {
            return;
        }
        glEnable(GL_SCISSOR_TEST);
        glScissor(videoX, framebufferHeight - videoY - videoHeight, videoWidth, videoHeight);
        text.begin(windowIndex, framebufferWidth, framebufferHeight);
        // Outlines first, then captions over all of them, so that no outline crosses a caption.
        for (int i = 0; i < boxes.size; i++) {
            if (visible[i]) {
                outline(i, videoX, videoY, videoWidth, videoHeight);
            }
        }
        for (int i = 0; i < boxes.size; i++) {
            if (visible[i]) {
                caption(i, videoX, videoY, videoWidth, videoHeight);
            }
        }
        text.end();
        glDisable(GL_SCISSOR_TEST);
        lastDrawn = shown;
    }

    /** How many boxes the last {@link #draw} drew. */
    public int lastDrawn() {
        return lastDrawn;
    }

    private void outline(int i, int videoX, int videoY, int videoWidth, int videoHeight) {
        int left = videoX + Math.round(boxes.x[i] * videoWidth);
        int top = videoY + Math.round(boxes.y[i] * videoHeight);
        int right = videoX + Math.round((boxes.x[i] + boxes.width[i]) * videoWidth);
        int bottom = videoY + Math.round((boxes.y[i] + boxes.height[i]) * videoHeight);
        int colour = LabelPalette.colour(captionLabel(i));
        int w = right - left;
        int sideHeight = bottom - top - 2 * LINE_WIDTH;
        text.rectangle(left, top, w, LINE_WIDTH, colour);
        text.rectangle(left, bottom - LINE_WIDTH, w, LINE_WIDTH, colour);
        text.rectangle(left, top + LINE_WIDTH, LINE_WIDTH, sideHeight, colour);
        text.rectangle(right - LINE_WIDTH, top + LINE_WIDTH, LINE_WIDTH, sideHeight, colour);
    }

    private void caption(int i, int videoX, int videoY, int videoWidth, int videoHeight) {
        String label = captionLabel(i);
        int length = formatCaption(label, boxes.score[i], caption);
        float pad = TextRenderer.BACKGROUND_PADDING;
        float textWidth = text.textWidth(length, 1f);
        float lineHeight = text.lineHeight(1f);
        float left = videoX + Math.round(boxes.x[i] * videoWidth);
        float top = videoY + Math.round(boxes.y[i] * videoHeight);
        // The background box's left edge on the box's left edge, its bottom on the box's top edge.
        float x = left + pad;
        float y = top - pad - lineHeight;
        if (y - pad < videoY) {
            y = top + LINE_WIDTH + pad;
        }
        float rightLimit = videoX + videoWidth - pad - textWidth;
        if (x > rightLimit) {
            x = Math.max(videoX + pad, rightLimit);
        }
        text.text(caption, 0, length, x, y, 1f, LabelPalette.colour(label), CAPTION_BACKGROUND);
    }

    private String captionLabel(int i) {
        String label = boxes.label[i];
        return label == null || label.isEmpty() ? boxes.type[i] : label;
    }

    /** Writes "label 0.93" (or "label" when the score is 0) into {@code into}; returns its length. */
    static int formatCaption(String label, float score, char[] into) {
        int length = Math.min(label.length(), MAX_LABEL);
        label.getChars(0, length, into, 0);
        if (score > 0) {
            int hundredths = Math.min(100, Math.round(score * 100));
            into[length++] = ' ';
            into[length++] = (char) ('0' + hundredths / 100);
            into[length++] = '.';
            into[length++] = (char) ('0' + hundredths / 10 % 10);
            into[length++] = (char) ('0' + hundredths % 10);
        }
        return length;
    }
}
