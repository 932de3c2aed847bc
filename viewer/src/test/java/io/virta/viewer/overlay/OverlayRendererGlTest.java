package io.virta.viewer.overlay;

import io.virta.viewer.GlfwSession;
import io.virta.viewer.GlfwSession.Picture;
import io.virta.viewer.GlfwSession.Window;
import io.virta.viewer.gl.text.TextAtlas;
import io.virta.viewer.gl.text.TextRenderer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lwjgl.opengl.GL33C.GL_COLOR_BUFFER_BIT;
import static org.lwjgl.opengl.GL33C.GL_NO_ERROR;
import static org.lwjgl.opengl.GL33C.glClear;
import static org.lwjgl.opengl.GL33C.glClearColor;
import static org.lwjgl.opengl.GL33C.glFinish;
import static org.lwjgl.opengl.GL33C.glGetError;
import static org.lwjgl.opengl.GL33C.glViewport;

/**
 * OverlayRenderer on a real X server (Xvfb) with real OpenGL (Mesa llvmpipe, 3.3 core): boxes and
 * captions land on the expected pixels, in the back buffer and on the screen, and go when they expire.
 */
@Timeout(60)
class OverlayRendererGlTest {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    // The picture's rectangle in the window (letterboxed by the caller).
    private static final int VIDEO_X = 40;
    private static final int VIDEO_Y = 30;
    private static final int VIDEO_W = 480;
    private static final int VIDEO_H = 270;
    private static final int GREY = TextRenderer.rgba(64, 64, 64, 255);
    private static final int TOLERANCE = 6;
    private static final long T = 1_800_000_000_000_000L;

    private static GlfwSession session;
    private static Window window;
    private static TextRenderer text;

    private OverlayStore store;
    private OverlayRenderer renderer;
    private int lobby;

    @BeforeAll
    static void openWindow() throws Exception {
        session = GlfwSession.start(1024, 768);
        window = session.window(WIDTH, HEIGHT, 100, 80, null);
        text = TextRenderer.create(TextAtlas.rasterize(16));
    }

    @AfterAll
    static void closeWindow() throws Exception {
        if (session != null) {
            if (window != null) {
                window.makeCurrent();
                if (text != null) {
                    text.close();
                }
                window.close();
            }
            session.close();
        }
    }

    @BeforeEach
    void newStore() {
        window.makeCurrent();
        store = new OverlayStore(List.of("lobby", "yard"), OverlayTiming.defaults());
        renderer = new OverlayRenderer(store, text);
        lobby = renderer.cameraKey("lobby");
    }

    private void drawFrame(int cameraKey, long presentedMicros, long nowNanos) {
        glViewport(0, 0, window.framebufferWidth, window.framebufferHeight);
        glClearColor(64 / 255f, 64 / 255f, 64 / 255f, 1f);
        glClear(GL_COLOR_BUFFER_BIT);
        renderer.draw(0, cameraKey, VIDEO_X, VIDEO_Y, VIDEO_W, VIDEO_H, window.framebufferWidth,
                window.framebufferHeight, presentedMicros, nowNanos);
        assertEquals(GL_NO_ERROR, glGetError(), "no GL error");
    }

    @Test
    void boxAndCaptionLandOnTheirPixelsInTheBackBufferAndOnScreen() throws Exception {
        long received = System.nanoTime();
        store.add(lobby, "detection", "w", T, received, 0.25f, 0.3f, 0.5f, 0.4f, "person", 0.93f);
        drawFrame(lobby, T, received);
        assertEquals(1, renderer.lastDrawn());
        assertBoxAndCaption(window.readBack(), "back buffer");

        window.swapBuffers();
        assertBoxAndCaption(window.screenshot(), "x11grab of the window");
    }

    private void assertBoxAndCaption(Picture p, String where) {
        int colour = LabelPalette.colour("person");
        // Box edges: left 40 + 0.25 * 480 = 160, right 40 + 0.75 * 480 = 400, top 30 + 0.3 * 270 = 111,
        // bottom 30 + 0.7 * 270 = 219 (exclusive ends).
        int midY = 165;
        int column = 350;
        assertNear(160, firstInRow(p, midY, colour), where + ": left edge");
        assertNear(399, lastInRow(p, midY, colour), where + ": right edge");
        assertNear(111, firstInColumn(p, column, colour), where + ": top edge");
        assertNear(218, lastInColumn(p, column, colour), where + ": bottom edge");
        assertTrue(p.is(280, 165, GREY, TOLERANCE), where + ": the box's inside is untouched");
        assertEquals(0, p.count(0, 0, WIDTH, HEIGHT, colour, TOLERANCE) - p.count(150, 80, 410, 225, colour, TOLERANCE),
                where + ": nothing of the label's colour away from the box and its caption");

        // "person 0.93": 11 glyphs of 10 px over a dark background, its bottom on the box's top edge.
        int lineHeight = text.atlas().lineHeight();
        int captionTop = 111 - TextRenderer.BACKGROUND_PADDING - lineHeight;
        int captionRight = 162 + 11 * text.atlas().glyphWidth();
        int glyphPixels = p.count(162, captionTop, captionRight, 111 - 2, colour, 40);
        assertTrue(glyphPixels > 100, where + ": caption glyphs in the label's colour above the box, got " + glyphPixels);
        int dark = p.count(160, captionTop - 2, captionRight + 2, 111, TextRenderer.rgba(25, 25, 25, 255), 12);
        assertTrue(dark > 300, where + ": a dark background behind the caption, got " + dark + " dark pixels");
        assertEquals(0, p.count(captionRight + 3, captionTop - 2, WIDTH, 111, colour, 40),
                where + ": the caption ends after 11 glyphs");
    }

    @Test
    void boxesExpireInPresentedVideoTimeAndInWallTime() {
        long received = System.nanoTime();
        store.add(lobby, "detection", "w", T, received, 0.25f, 0.3f, 0.5f, 0.4f, "person", 0.93f);
        int colour = LabelPalette.colour("person");
        long ttl = store.timing().ttlMicros();
        long slack = store.timing().slackMicros();

        drawFrame(lobby, T - slack - 40_000, received);
        assertEquals(0, window.readBack().count(0, 0, WIDTH, HEIGHT, colour, TOLERANCE), "not before its picture");
        drawFrame(lobby, T - slack + ttl - 1, received);
        assertTrue(window.readBack().count(0, 0, WIDTH, HEIGHT, colour, TOLERANCE) > 0, "shown until ttl has passed");
        drawFrame(lobby, T - slack + ttl, received);
        assertEquals(0, window.readBack().count(0, 0, WIDTH, HEIGHT, colour, TOLERANCE), "gone after ttl of video");
        assertEquals(0, renderer.lastDrawn());

        long wallExpiry = received + TimeUnit.MICROSECONDS.toNanos(ttl) + TimeUnit.SECONDS.toNanos(5);
        drawFrame(lobby, T, wallExpiry - 1);
        assertEquals(1, renderer.lastDrawn(), "a stalled stream still shows it until ttl + 5 s of wall time");
        drawFrame(lobby, T, wallExpiry);
        assertEquals(0, window.readBack().count(0, 0, WIDTH, HEIGHT, colour, TOLERANCE), "gone after ttl + 5 s of wall time");
    }

    @Test
    void onlyTheTilesCameraIsDrawnAndNothingLeavesThePicture() {
        long received = System.nanoTime();
        store.add(renderer.cameraKey("yard"), "detection", "w", T, received, 0.1f, 0.1f, 0.2f, 0.2f, "car", 0.5f);
        // At the top-right corner: the caption goes below the top edge and is pushed left, inside the picture.
        store.add(lobby, "motion", "w", T, received, 0.9f, 0f, 0.1f, 0.2f, "", 0f);
        drawFrame(lobby, T, received);
        assertEquals(1, renderer.lastDrawn());
        Picture p = window.readBack();
        int motion = LabelPalette.colour("motion");
        assertEquals(0, p.count(0, 0, WIDTH, HEIGHT, LabelPalette.colour("car"), TOLERANCE) - countCar(p),
                "the yard's box is not in the lobby's tile");
        assertTrue(p.count(VIDEO_X, VIDEO_Y + 4, VIDEO_X + VIDEO_W, VIDEO_Y + 30, motion, 40) > 50,
                "the caption 'motion' (the type, as the box has no label) below the top edge");
        assertEquals(0, p.count(0, 0, WIDTH, VIDEO_Y, motion, 40), "nothing above the picture");
        assertEquals(0, p.count(VIDEO_X + VIDEO_W, 0, WIDTH, HEIGHT, motion, 40), "nothing right of the picture");
        assertEquals(-1, renderer.cameraKey("garage"));
        drawFrame(-1, T, received);
        assertEquals(0, renderer.lastDrawn(), "a camera without overlays draws nothing");
    }

    /** Car-coloured pixels that are the motion box's (when the palette gives both the same colour). */
    private static int countCar(Picture p) {
        return LabelPalette.colour("car") == LabelPalette.colour("motion") ? p.count(0, 0, WIDTH, HEIGHT,
                LabelPalette.colour("car"), TOLERANCE) : 0;
    }

    @Test
    void aSecondWindowSharingTheContextGetsItsOwnVertexArray() {
        long received = System.nanoTime();
        store.add(lobby, "detection", "w", T, received, 0.25f, 0.3f, 0.5f, 0.4f, "person", 0.93f);
        try (Window second = session.window(WIDTH, HEIGHT, 100, 460, window)) {
            glViewport(0, 0, second.framebufferWidth, second.framebufferHeight);
            glClearColor(64 / 255f, 64 / 255f, 64 / 255f, 1f);
            glClear(GL_COLOR_BUFFER_BIT);
            renderer.draw(1, lobby, VIDEO_X, VIDEO_Y, VIDEO_W, VIDEO_H, second.framebufferWidth,
                    second.framebufferHeight, T, received);
            assertEquals(GL_NO_ERROR, glGetError());
            assertBoxAndCaption(second.readBack(), "second window");
            text.releaseWindow(1);
        } finally {
            window.makeCurrent();
        }
        drawFrame(lobby, T, received);
        assertBoxAndCaption(window.readBack(), "first window again");
    }

    @Test
    void drawingAllocatesNothing() {
        long received = System.nanoTime();
        for (int i = 0; i < store.boxesPerCamera(); i++) {
            store.add(lobby, "detection", "w", T, received, 0.01f * i, 0.01f * i, 0.05f, 0.05f, i % 2 == 0 ? "person" : "car",
                    0.5f);
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // The first draws create the window's objects; after that a draw allocates nothing.
        for (int i = 0; i < 10; i++) {
            drawFrame(lobby, T, received);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 300; i++) {
            renderer.draw(0, lobby, VIDEO_X, VIDEO_Y, VIDEO_W, VIDEO_H, WIDTH, HEIGHT, T, received);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        glFinish();
        assertEquals(store.boxesPerCamera(), renderer.lastDrawn());
        // Interpreted (-Xint) this is exactly 0; compiled, the JIT now and then leaves a few hundred bytes once
        // (seen: 336 to 472), never per draw. One object per draw would be 4800 bytes or more.
        assertTrue(allocated < 2048, "bytes allocated by 300 draws of 64 boxes: " + allocated);
    }

    private static void assertNear(int expected, int actual, String what) {
        assertTrue(Math.abs(expected - actual) <= 2, what + ": expected " + expected + " ± 2, got " + actual);
    }

    private static int firstInRow(Picture p, int y, int colour) {
        return scan(p, 0, y, 1, 0, colour);
    }

    private static int lastInRow(Picture p, int y, int colour) {
        return scan(p, p.width() - 1, y, -1, 0, colour);
    }

    private static int firstInColumn(Picture p, int x, int colour) {
        return scan(p, x, 0, 0, 1, colour);
    }

    private static int lastInColumn(Picture p, int x, int colour) {
        return scan(p, x, p.height() - 1, 0, -1, colour);
    }

    /** From (x, y) in steps of (dx, dy): the x (or y, for a vertical scan) of the first pixel of the colour; -1: none. */
    private static int scan(Picture p, int x, int y, int dx, int dy, int colour) {
        for (; x >= 0 && y >= 0 && x < p.width() && y < p.height(); x += dx, y += dy) {
            if (p.is(x, y, colour, TOLERANCE)) {
                return dx != 0 ? x : y;
            }
        }
        return -1;
    }
}
