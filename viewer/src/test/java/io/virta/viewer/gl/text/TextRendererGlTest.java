package io.virta.viewer.gl.text;

import io.virta.viewer.GlfwSession;
import io.virta.viewer.GlfwSession.Picture;
import io.virta.viewer.GlfwSession.Window;
import io.virta.viewer.gl.ShaderProgram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lwjgl.opengl.GL33C.GL_COLOR_BUFFER_BIT;
import static org.lwjgl.opengl.GL33C.GL_NO_ERROR;
import static org.lwjgl.opengl.GL33C.glClear;
import static org.lwjgl.opengl.GL33C.glClearColor;
import static org.lwjgl.opengl.GL33C.glGetError;
import static org.lwjgl.opengl.GL33C.glViewport;

/** TextRenderer and ShaderProgram on a real X server (Xvfb) with real OpenGL (Mesa llvmpipe, 3.3 core). */
@Timeout(60)
class TextRendererGlTest {
    private static final int WIDTH = 400;
    private static final int HEIGHT = 120;
    private static final int WHITE = TextRenderer.rgba(255, 255, 255, 255);

    private static GlfwSession session;
    private static Window window;

    @BeforeAll
    static void openWindow() throws Exception {
        session = GlfwSession.start(640, 480);
        window = session.window(WIDTH, HEIGHT, 0, 0, null);
    }

    @AfterAll
    static void closeWindow() throws Exception {
        if (session != null) {
            if (window != null) {
                window.close();
            }
            session.close();
        }
    }

    private static void clear() {
        glViewport(0, 0, WIDTH, HEIGHT);
        glClearColor(0, 0, 0, 1);
        glClear(GL_COLOR_BUFFER_BIT);
    }

    @Test
    void nonAsciiDrawsAsAQuestionMarkAndTextLongerThanTheBufferIsDrawnWhole() {
        // Room for 8 quads per draw call: the 30 characters below take 4 calls.
        try (TextRenderer text = TextRenderer.create(TextAtlas.rasterize(16), 8)) {
            int glyph = text.atlas().glyphWidth();
            int line = text.atlas().lineHeight();
            clear();
            text.begin(0, WIDTH, HEIGHT);
            text.text("?é", 10, 10, WHITE);
            text.text("0123456789".repeat(3), 10, 50, WHITE);
            text.end();
            assertEquals(GL_NO_ERROR, glGetError());
            Picture p = window.readBack();
            for (int y = 10; y < 10 + line; y++) {
                for (int x = 0; x < glyph; x++) {
                    assertEquals(p.red(10 + x, y), p.red(10 + glyph + x, y), "'é' looks like '?' at " + x + "," + y);
                }
            }
            assertTrue(p.count(10, 10, 10 + glyph, 10 + line, WHITE, 40) > 10, "'?' has ink");
            for (int i = 0; i < 30; i++) {
                int left = 10 + i * glyph;
                assertTrue(p.count(left, 50, left + glyph, 50 + line, WHITE, 40) > 5, "glyph " + i + " is drawn");
            }
        }
    }

    @Test
    void backgroundBoxesAndRectanglesBlendByAlphaAndScaleGrowsText() {
        try (TextRenderer text = TextRenderer.create(TextAtlas.rasterize(16))) {
            clear();
            text.begin(0, WIDTH, HEIGHT);
            text.rectangle(300, 10, 50, 20, TextRenderer.rgba(255, 0, 0, 128));
            float width = text.text("NO SIGNAL", 20, 40, 2f, WHITE, TextRenderer.rgba(0, 0, 255, 255));
            text.end();
            Picture p = window.readBack();
            assertEquals(2 * 9 * text.atlas().glyphWidth(), width);
            assertTrue(p.is(325, 20, TextRenderer.rgba(128, 0, 0, 255), 2), "half-transparent red over black");
            assertTrue(p.is(299, 20, TextRenderer.rgba(0, 0, 0, 255), 0) && p.is(350, 20, TextRenderer.rgba(0, 0, 0, 255), 0),
                    "the rectangle is [300, 350)");
            int blue = TextRenderer.rgba(0, 0, 255, 255);
            assertTrue(p.is(17, 37, blue, 0), "the background starts 2 x 2 px before the text");
            assertTrue(p.is(20 + (int) width + 3, 40 + (int) text.lineHeight(2f) + 3, blue, 0), "and ends 2 x 2 px after it");
            assertTrue(p.count(20, 40, 20 + (int) width, 40 + (int) text.lineHeight(2f), WHITE, 40) > 300, "large glyphs");
        }
    }

    @Test
    void aBatchMustEndBeforeTheNextBegins() {
        try (TextRenderer text = TextRenderer.create(TextAtlas.rasterize(16))) {
            text.begin(0, WIDTH, HEIGHT);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> text.begin(0, WIDTH, HEIGHT));
            assertTrue(e.getMessage().contains("call end() first"), e.getMessage());
            text.end();
            text.begin(0, WIDTH, HEIGHT);
            text.end();
        }
    }

    @Test
    void shaderErrorsNameTheProgramAndCarryTheDriversLog() {
        String vertex = "#version 330 core\nvoid main() { gl_Position = vec4(0.0); }\n";
        ShaderProgram.ShaderException e = assertThrows(ShaderProgram.ShaderException.class,
                () -> ShaderProgram.build("broken", vertex, "#version 330 core\nout vec4 c;\nvoid main() { c = nope; }\n"));
        assertTrue(e.getMessage().startsWith("the fragment shader of program 'broken' does not compile: "), e.getMessage());
        assertTrue(e.getMessage().contains("nope"), "the info log names the culprit: " + e.getMessage());
        try (ShaderProgram ok = ShaderProgram.build("ok", vertex,
                "#version 330 core\nuniform vec4 tint;\nout vec4 c;\nvoid main() { c = tint; }\n")) {
            assertTrue(ok.uniform("tint") >= 0);
            ShaderProgram.ShaderException missing = assertThrows(ShaderProgram.ShaderException.class,
                    () -> ok.uniform("tnit"));
            assertEquals("shader program 'ok' has no active uniform 'tnit'", missing.getMessage());
        }
    }
}
