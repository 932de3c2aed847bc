package io.virta.viewer.gl;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.lwjgl.glfw.GLFWErrorCallback;
import org.lwjgl.glfw.GLFWVidMode;
import org.lwjgl.opengl.GL;
import org.lwjgl.opengl.GLCapabilities;

import static org.lwjgl.glfw.GLFW.*;

/**
 * The connection to one X screen through GLFW, and the hidden window whose OpenGL context owns every
 * texture, pixel buffer and shader; the visible windows share them. Uploads happen in this context, so a
 * stream shown in ten tiles is uploaded once.
 */
public final class Display implements AutoCloseable {
    private final String name;
    private final long resourceWindow;
    private final GLCapabilities capabilities;
    private final int screenWidth;
    private final int screenHeight;
    private final int refreshRate;
    private final GLFWErrorCallback errors;
    private volatile String lastError = "";

    private Display(String name) {
        this.name = name;
        errors = GLFWErrorCallback.create((code, description) -> lastError = GLFWErrorCallback.getDescription(description));
        glfwSetErrorCallback(errors);
        // X11 only: GLFW would otherwise probe for Wayland first and warn when it is absent.
        glfwInitHint(GLFW_PLATFORM, GLFW_PLATFORM_X11);
        if (!glfwInit()) {
            String why = lastError;
            errors.free();
            throw new ViewerException("cannot open X display '" + name + "' (" + why + "): start an X server there,"
                    + " or pass --display with one that runs (for a headless test: Xvfb :99 &, then --display :99)");
        }
        glfwDefaultWindowHints();
        hintCoreProfile();
        glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
        resourceWindow = glfwCreateWindow(16, 16, "virta resources", 0, 0);
        if (resourceWindow == 0) {
            String why = lastError;
            glfwTerminate();
            errors.free();
            throw new ViewerException("display '" + name + "' offers no OpenGL 3.3 core context (" + why + "): the"
                    + " viewer needs OpenGL 3.3; check `glxinfo -B` on that display (Mesa's llvmpipe will do)");
        }
        glfwMakeContextCurrent(resourceWindow);
        current = resourceWindow;
        capabilities = GL.createCapabilities();
        GLFWVidMode mode = glfwGetVideoMode(glfwGetPrimaryMonitor());
        screenWidth = mode == null ? 1920 : mode.width();
        screenHeight = mode == null ? 1080 : mode.height();
        refreshRate = mode == null || mode.refreshRate() <= 0 ? 60 : mode.refreshRate();
    }

    /**
     * Opens {@code display} (an X display name like {@code :0} or {@code :1.0}), or $DISPLAY when null.
     * Must be called on the thread that will run the render loop (GLFW wants the main thread).
     */
    public static Display open(String display) {
        if (display != null) {
            if (!display.matches("[A-Za-z0-9._-]*:\\d+(\\.\\d+)?")) {
                throw new ViewerException("--display '" + display + "' is not an X display name like :0, :1.0 or"
                        + " host:0");
            }
            // GLFW opens $DISPLAY; setting it in this process (not just Java's view of it) is how to choose.
            CLibrary.C.setenv("DISPLAY", display, 1);
        }
        String name = display != null ? display : System.getenv("DISPLAY");
        if (name == null || name.isBlank()) {
            throw new ViewerException("no X display: DISPLAY is not set and --display was not given; pass"
                    + " --display :0 (or the display of the screen to show the video on)");
        }
        return new Display(name);
    }

    static void hintCoreProfile() {
        glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_API);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
        glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
        glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    }

    /** Makes the resource context current (for allocations, and uploads before any window exists). */
    public void makeCurrent() {
        makeCurrent(resourceWindow, capabilities);
    }

    /**
     * Makes {@code window}'s context current unless it already is. Every context shares the resource
     * context's objects, so uploads may happen in whichever is current; skipping needless switches
     * saves a GLFW call per frame (each allocates in LWJGL) and the driver's flush on a switch.
     */
    static void makeCurrent(long window, GLCapabilities windowCapabilities) {
        if (current != window) {
            glfwMakeContextCurrent(window);
            GL.setCapabilities(windowCapabilities);
            current = window;
        }
    }

    /** Whose context is current on the render thread (0: none); GLFW has a call for it, but it allocates. */
    private static long current;

    long resourceWindow() {
        return resourceWindow;
    }

    GLCapabilities capabilities() {
        return capabilities;
    }

    String lastError() {
        return lastError;
    }

    public String name() {
        return name;
    }

    public int screenWidth() {
        return screenWidth;
    }

    public int screenHeight() {
        return screenHeight;
    }

    /** The screen's refresh rate in Hz (60 when the X server does not say). */
    public int refreshRate() {
        return refreshRate;
    }

    /** Wakes the render thread from {@link #waitEvents}; callable from any thread. */
    public static void wake() {
        glfwPostEmptyEvent();
    }

    /** Forgets which context is current, after GLFW made another one current behind our back. */
    static void forgetCurrent() {
        current = -1;
    }

    /** Processes window events, waiting up to {@code timeoutNanos} for one (or a {@link #wake()}). */
    public void waitEvents(long timeoutNanos) {
        if (timeoutNanos <= 0) {
            glfwPollEvents();
        } else {
            glfwWaitEventsTimeout(timeoutNanos / 1e9);
        }
    }

    @Override
    public void close() {
        glfwMakeContextCurrent(0);
        current = 0;
        glfwDestroyWindow(resourceWindow);
        glfwTerminate();
        errors.free();
    }

    /** setenv(3): GLFW reads DISPLAY from the C environment, which Java cannot change otherwise. */
    private interface CLibrary extends Library {
        CLibrary C = Native.load("c", CLibrary.class);

        int setenv(String name, String value, int overwrite);
    }
}
