package io.virta.viewer.gl;

import io.virta.viewer.layout.WindowLayout;
import org.lwjgl.opengl.GL;
import org.lwjgl.opengl.GLCapabilities;

import static org.lwjgl.glfw.GLFW.*;
import static org.lwjgl.opengl.GL33C.*;

/**
 * One on-screen window and its OpenGL context (sharing the display's resource context), its grid of
 * tiles, and the input that enlarges a tile: a click on a tile or keys 1-9 fill the window with it,
 * another click, 0 or Escape go back to the grid, Q closes the viewer.
 */
public final class ViewerWindow implements AutoCloseable {
    /** Pixels between tiles. */
    static final int GAP = 2;

    private final int index;
    private final WindowLayout layout;
    private final long handle;
    private final GLCapabilities capabilities;
    private final int vertexArray;
    private final int[] queryX = new int[1];
    private final int[] queryY = new int[1];
    private int framebufferWidth;
    private int framebufferHeight;
    private int windowWidth;
    private int windowHeight;
    private volatile int enlarged = -1;
    /** Set by input and size callbacks: every tile must be drawn again. */
    private volatile boolean allDirty = true;
    /** Tiles whose stream changed since the last redraw; only these are drawn again. */
    private final boolean[] tileDirty;
    private boolean anyTileDirty;
    /** The window's picture, kept between redraws so that a redraw touches only the tiles that changed. */
    private int canvasFramebuffer;
    private int canvasTexture;
    private int canvasWidth;
    private int canvasHeight;
    private boolean drawingDirect;
    private boolean canvasStale;
    private volatile boolean closeRequested;

    public ViewerWindow(Display display, int index, WindowLayout layout, int x, int y, boolean vsync) {
        this.index = index;
        this.layout = layout;
        this.tileDirty = new boolean[layout.tiles().size()];
        glfwDefaultWindowHints();
        Display.hintCoreProfile();
        glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
        glfwWindowHint(GLFW_DECORATED, layout.fullscreen() ? GLFW_FALSE : GLFW_TRUE);
        int width = layout.fullscreen() ? display.screenWidth() : layout.width();
        int height = layout.fullscreen() ? display.screenHeight() : layout.height();
        handle = glfwCreateWindow(width, height, layout.title(), 0, display.resourceWindow());
        if (handle == 0) {
            throw new ViewerException("cannot open window '" + layout.title() + "' on display '" + display.name()
                    + "' (" + display.lastError() + ")");
        }
        glfwSetWindowPos(handle, layout.fullscreen() ? 0 : x, layout.fullscreen() ? 0 : y);
        glfwShowWindow(handle);
        glfwMakeContextCurrent(handle);
        Display.forgetCurrent();
        capabilities = GL.createCapabilities();
        Display.makeCurrent(handle, capabilities);
        // One swap per refresh for the first window only: with every window waiting for the vertical blank,
        // N windows would take N refreshes per pass.
        glfwSwapInterval(vsync && index == 0 ? 1 : 0);
        vertexArray = glGenVertexArrays();   // vertex arrays are per context; quads come from gl_VertexID
        glfwSetMouseButtonCallback(handle, (w, button, action, mods) -> {
            if (button == GLFW_MOUSE_BUTTON_LEFT && action == GLFW_PRESS) {
                double[] cx = new double[1];
                double[] cy = new double[1];
                glfwGetCursorPos(w, cx, cy);
                clicked(cx[0], cy[0]);
            }
        });
        glfwSetKeyCallback(handle, (w, key, scancode, action, mods) -> {
            if (action != GLFW_PRESS) {
                return;
            }
            if (key == GLFW_KEY_Q) {
                closeRequested = true;
            } else if (key == GLFW_KEY_ESCAPE || key == GLFW_KEY_0) {
                enlarge(-1);
            } else if (key >= GLFW_KEY_1 && key <= GLFW_KEY_9 && key - GLFW_KEY_1 < layout.tiles().size()) {
                enlarge(key - GLFW_KEY_1);
            }
        });
        glfwSetWindowCloseCallback(handle, w -> closeRequested = true);
        // Sizes change only through these callbacks (run by the event processing on the render thread):
        // asking GLFW for them on every redraw would cost calls that allocate.
        glfwSetFramebufferSizeCallback(handle, (w, fw, fh) -> {
            framebufferWidth = fw;
            framebufferHeight = fh;
            allDirty = true;
        });
        glfwSetWindowSizeCallback(handle, (w, ww, wh) -> {
            windowWidth = ww;
            windowHeight = wh;
            allDirty = true;
        });
        glfwSetWindowRefreshCallback(handle, w -> allDirty = true);
        updateSize();
    }

    private void clicked(double x, double y) {
        if (enlarged >= 0) {
            enlarge(-1);
            return;
        }
        int columns = layout.columns();
        int rows = layout.rows();
        int column = (int) (x * columns / Math.max(1, windowWidth));
        int row = (int) (y * rows / Math.max(1, windowHeight));
        int tile = row * columns + column;
        if (column < columns && row < rows && tile < layout.tiles().size()) {
            enlarge(tile);
        }
    }

    /** Fills the window with tile {@code tile}, or shows the grid again for -1. */
    public void enlarge(int tile) {
        enlarged = tile;
        allDirty = true;
    }

    /** Makes this window's context current, with its vertex array bound. */
    public void makeCurrent() {
        Display.makeCurrent(handle, capabilities);
        glBindVertexArray(vertexArray);
    }

    /** Binds this window's empty vertex array, which the video quad is drawn with (text binds its own). */
    public void bindVertexArray() {
        glBindVertexArray(vertexArray);
    }

    private void updateSize() {
        glfwGetFramebufferSize(handle, queryX, queryY);
        framebufferWidth = queryX[0];
        framebufferHeight = queryY[0];
        glfwGetWindowSize(handle, queryX, queryY);
        windowWidth = queryX[0];
        windowHeight = queryY[0];
    }

    /**
     * The rectangle of tile {@code tile} in framebuffer pixels, top-left origin, into {@code rect} as x, y,
     * width, height; the enlarged tile covers the window, other tiles get nothing while one is enlarged.
     */
    public boolean tileRect(int tile, int[] rect) {
        int e = enlarged;
        if (e >= 0) {
            if (tile != e) {
                return false;
            }
            rect[0] = 0;
            rect[1] = 0;
            rect[2] = framebufferWidth;
            rect[3] = framebufferHeight;
            return true;
        }
        int columns = layout.columns();
        int rows = layout.rows();
        int column = tile % columns;
        int row = tile / columns;
        int x0 = column * framebufferWidth / columns;
        int x1 = (column + 1) * framebufferWidth / columns;
        int y0 = row * framebufferHeight / rows;
        int y1 = (row + 1) * framebufferHeight / rows;
        boolean single = columns * rows == 1;
        rect[0] = x0;
        rect[1] = y0;
        rect[2] = Math.max(1, x1 - x0 - (single || column == columns - 1 ? 0 : GAP));
        rect[3] = Math.max(1, y1 - y0 - (single || row == rows - 1 ? 0 : GAP));
        return true;
    }

    public int index() {
        return index;
    }

    public WindowLayout layout() {
        return layout;
    }

    public int framebufferWidth() {
        return framebufferWidth;
    }

    public int framebufferHeight() {
        return framebufferHeight;
    }

    /** Where the window is on the screen, into {@code position} as x, y. */
    public void position(int[] position) {
        glfwGetWindowPos(handle, queryX, queryY);
        position[0] = queryX[0];
        position[1] = queryY[0];
    }

    public int width() {
        return windowWidth;
    }

    public int height() {
        return windowHeight;
    }

    /** True when something on the window must be drawn again. */
    public boolean isDirty() {
        return allDirty || anyTileDirty;
    }

    /** Tile {@code tile}'s stream has a new picture (or lost it). */
    public void markTileDirty(int tile) {
        tileDirty[tile] = true;
        anyTileDirty = true;
    }

    /** Whether tile {@code tile} is to be drawn in this redraw. */
    public boolean isTileDirty(int tile) {
        return allDirty || tileDirty[tile];
    }

    /**
     * Starts a redraw into the window's canvas, an off-screen picture that keeps the tiles that did not
     * change (the window's own back buffer is undefined after a swap). Returns true when every tile is to
     * be drawn (first redraw, resize, input), false when only the dirty ones are.
     */
    public boolean beginRedraw() {
        drawingDirect = enlarged >= 0 || layout.tiles().size() == 1;
        if (drawingDirect) {
            // One tile fills the window: it is drawn whole every time, so keeping a copy would only cost a blit.
            glBindFramebuffer(GL_FRAMEBUFFER, 0);
            return true;
        }
        boolean everything = allDirty || canvasStale;
        canvasStale = false;
        if (canvasFramebuffer == 0 || canvasWidth != framebufferWidth || canvasHeight != framebufferHeight) {
            makeCanvas();
            everything = true;
        }
        glBindFramebuffer(GL_FRAMEBUFFER, canvasFramebuffer);
        return everything;
    }

    /** Copies the canvas to the window and shows it; every tile is clean afterwards. */
    public void endRedraw() {
        if (drawingDirect) {
            // The canvas missed this redraw: when the grid comes back, all of it is drawn again.
            canvasStale = true;
        } else {
            glBindFramebuffer(GL_READ_FRAMEBUFFER, canvasFramebuffer);
            glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
            glBlitFramebuffer(0, 0, canvasWidth, canvasHeight, 0, 0, canvasWidth, canvasHeight, GL_COLOR_BUFFER_BIT,
                    GL_NEAREST);
            glBindFramebuffer(GL_FRAMEBUFFER, 0);
        }
        glfwSwapBuffers(handle);
        allDirty = false;
        anyTileDirty = false;
        java.util.Arrays.fill(tileDirty, false);
    }

    /** Shows the back buffer as it is (the benchmark's yardstick for the swap alone). */
    public void swapBuffers() {
        glfwSwapBuffers(handle);
    }

    /** Framebuffer objects belong to one context: the canvas is this window's own, made again on resize. */
    private void makeCanvas() {
        deleteCanvas();
        canvasWidth = Math.max(1, framebufferWidth);
        canvasHeight = Math.max(1, framebufferHeight);
        canvasTexture = glGenTextures();
        glBindTexture(GL_TEXTURE_2D, canvasTexture);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, canvasWidth, canvasHeight, 0, GL_RGBA, GL_UNSIGNED_BYTE, 0L);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glBindTexture(GL_TEXTURE_2D, 0);
        canvasFramebuffer = glGenFramebuffers();
        glBindFramebuffer(GL_FRAMEBUFFER, canvasFramebuffer);
        glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, canvasTexture, 0);
        int status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
        glBindFramebuffer(GL_FRAMEBUFFER, 0);
        if (status != GL_FRAMEBUFFER_COMPLETE) {
            throw new IllegalStateException("window '" + layout.title() + "': the driver cannot draw into a "
                    + canvasWidth + "x" + canvasHeight + " canvas (status 0x" + Integer.toHexString(status) + ")");
        }
    }

    private void deleteCanvas() {
        if (canvasFramebuffer != 0) {
            glDeleteFramebuffers(canvasFramebuffer);
            glDeleteTextures(canvasTexture);
            canvasFramebuffer = 0;
            canvasTexture = 0;
        }
    }

    public boolean closeRequested() {
        return closeRequested;
    }

    @Override
    public void close() {
        Display.makeCurrent(handle, capabilities);
        deleteCanvas();
        glDeleteVertexArrays(vertexArray);
        glfwMakeContextCurrent(0);
        Display.forgetCurrent();
        glfwDestroyWindow(handle);
    }
}
