package io.virta.viewer;

import io.virta.testkit.Xvfb;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.lwjgl.glfw.GLFWErrorCallback;
import org.lwjgl.opengl.GL;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.lwjgl.glfw.GLFW.GLFW_CONTEXT_VERSION_MAJOR;
import static org.lwjgl.glfw.GLFW.GLFW_CONTEXT_VERSION_MINOR;
import static org.lwjgl.glfw.GLFW.GLFW_FALSE;
import static org.lwjgl.glfw.GLFW.GLFW_OPENGL_CORE_PROFILE;
import static org.lwjgl.glfw.GLFW.GLFW_OPENGL_FORWARD_COMPAT;
import static org.lwjgl.glfw.GLFW.GLFW_OPENGL_PROFILE;
import static org.lwjgl.glfw.GLFW.GLFW_PLATFORM;
import static org.lwjgl.glfw.GLFW.GLFW_PLATFORM_X11;
import static org.lwjgl.glfw.GLFW.GLFW_RESIZABLE;
import static org.lwjgl.glfw.GLFW.GLFW_TRUE;
import static org.lwjgl.glfw.GLFW.glfwCreateWindow;
import static org.lwjgl.glfw.GLFW.glfwDefaultWindowHints;
import static org.lwjgl.glfw.GLFW.glfwDestroyWindow;
import static org.lwjgl.glfw.GLFW.glfwGetFramebufferSize;
import static org.lwjgl.glfw.GLFW.glfwInit;
import static org.lwjgl.glfw.GLFW.glfwInitHint;
import static org.lwjgl.glfw.GLFW.glfwMakeContextCurrent;
import static org.lwjgl.glfw.GLFW.glfwPollEvents;
import static org.lwjgl.glfw.GLFW.glfwSetErrorCallback;
import static org.lwjgl.glfw.GLFW.glfwSetWindowPos;
import static org.lwjgl.glfw.GLFW.glfwSwapBuffers;
import static org.lwjgl.glfw.GLFW.glfwSwapInterval;
import static org.lwjgl.glfw.GLFW.glfwTerminate;
import static org.lwjgl.glfw.GLFW.glfwWindowHint;
import static org.lwjgl.opengl.GL33C.GL_PACK_ALIGNMENT;
import static org.lwjgl.opengl.GL33C.GL_RGB;
import static org.lwjgl.opengl.GL33C.GL_UNSIGNED_BYTE;
import static org.lwjgl.opengl.GL33C.glFinish;
import static org.lwjgl.opengl.GL33C.glPixelStorei;
import static org.lwjgl.opengl.GL33C.glReadPixels;

/**
 * GLFW on an X server of the test's own ({@link Xvfb}), with OpenGL 3.3 core contexts as the viewer
 * makes them. GLFW reads {@code DISPLAY} from the process environment when it initializes, and Java
 * cannot change its environment, so the variable is set through libc's {@code setenv} first: the
 * test's JVM then talks to its own Xvfb only. One session at a time per process.
 */
public final class GlfwSession implements AutoCloseable {
    private final Xvfb x;
    private final GLFWErrorCallback errors;

    private GlfwSession(Xvfb x, GLFWErrorCallback errors) {
        this.x = x;
        this.errors = errors;
    }

    private interface LibC extends Library {
        int setenv(String name, String value, int overwrite);
    }

    public static GlfwSession start(int screenWidth, int screenHeight) throws IOException, InterruptedException {
        Xvfb x = Xvfb.forTests(screenWidth, screenHeight);
        try {
            LibC libc = Native.load("c", LibC.class);
            if (libc.setenv("DISPLAY", x.display(), 1) != 0) {
                throw new IllegalStateException("setenv DISPLAY failed");
            }
            GLFWErrorCallback errors = GLFWErrorCallback.createPrint(System.err).set();
            glfwInitHint(GLFW_PLATFORM, GLFW_PLATFORM_X11);
            if (!glfwInit()) {
                throw new IllegalStateException("glfwInit failed on " + x.display());
            }
            return new GlfwSession(x, errors);
        } catch (RuntimeException | Error e) {
            x.close();
            throw e;
        }
    }

    public Xvfb x() {
        return x;
    }

    /**
     * A visible window of {@code width}x{@code height} at ({@code left}, {@code top}) on the screen (Xvfb has
     * no window manager, so it stays there), its context current with GL capabilities loaded. With
     * {@code share} non-null the context shares objects with that window's, as the viewer's windows do.
     */
    public Window window(int width, int height, int left, int top, Window share) {
        glfwDefaultWindowHints();
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
        glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
        glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
        glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE);
        long handle = glfwCreateWindow(width, height, "virta test", 0L, share == null ? 0L : share.handle);
        if (handle == 0L) {
            throw new IllegalStateException("glfwCreateWindow failed on " + x.display());
        }
        glfwSetWindowPos(handle, left, top);
        Window window = new Window(handle, left, top);
        window.makeCurrent();
        glfwSwapInterval(0);
        glfwPollEvents();
        return window;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        glfwTerminate();
        // GLFW keeps the callback across glfwTerminate; unset it before freeing, for the next session.
        glfwSetErrorCallback(null);
        errors.free();
        x.close();
    }

    /** A GLFW window and its context. */
    public final class Window implements AutoCloseable {
        final long handle;
        final int left;
        final int top;
        public final int framebufferWidth;
        public final int framebufferHeight;

        private Window(long handle, int left, int top) {
            this.handle = handle;
            this.left = left;
            this.top = top;
            int[] w = new int[1];
            int[] h = new int[1];
            glfwGetFramebufferSize(handle, w, h);
            this.framebufferWidth = w[0];
            this.framebufferHeight = h[0];
        }

        public void makeCurrent() {
            glfwMakeContextCurrent(handle);
            GL.createCapabilities();
        }

        /** The back buffer as RGB rows, top row first, as the framebuffer's origin is bottom-left. */
        public Picture readBack() {
            glFinish();
            ByteBuffer pixels = ByteBuffer.allocateDirect(framebufferWidth * framebufferHeight * 3);
            glPixelStorei(GL_PACK_ALIGNMENT, 1);
            glReadPixels(0, 0, framebufferWidth, framebufferHeight, GL_RGB, GL_UNSIGNED_BYTE, pixels);
            byte[] topDown = new byte[pixels.capacity()];
            int row = framebufferWidth * 3;
            for (int y = 0; y < framebufferHeight; y++) {
                pixels.get((framebufferHeight - 1 - y) * row, topDown, y * row, row);
            }
            return new Picture(framebufferWidth, framebufferHeight, topDown);
        }

        public void swapBuffers() {
            glfwSwapBuffers(handle);
            glfwPollEvents();
        }

        /** What the X server shows where the window is, grabbed by ffmpeg's x11grab: proof the window shows it. */
        public Picture screenshot() throws IOException, InterruptedException {
            Path err = Files.createTempFile("x11grab", ".log");
            try {
                Process ffmpeg = new ProcessBuilder("ffmpeg", "-v", "error", "-f", "x11grab", "-video_size",
                        framebufferWidth + "x" + framebufferHeight, "-i", x.display() + "+" + left + "," + top,
                        "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
                        .redirectError(err.toFile()).start();
                byte[] rgb;
                try (InputStream in = ffmpeg.getInputStream()) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    in.transferTo(out);
                    rgb = out.toByteArray();
                }
                if (!ffmpeg.waitFor(30, TimeUnit.SECONDS) || ffmpeg.exitValue() != 0
                        || rgb.length != framebufferWidth * framebufferHeight * 3) {
                    throw new IOException("ffmpeg x11grab of " + x.display() + " failed (" + rgb.length + " bytes): "
                            + Files.readString(err));
                }
                return new Picture(framebufferWidth, framebufferHeight, rgb);
            } finally {
                Files.deleteIfExists(err);
            }
        }

        @Override
        public void close() {
            glfwMakeContextCurrent(0L);
            glfwDestroyWindow(handle);
        }
    }

    /** RGB pixels, top row first. */
    public record Picture(int width, int height, byte[] rgb) {
        public int red(int x, int y) {
            return rgb[(y * width + x) * 3] & 0xFF;
        }

        public int green(int x, int y) {
            return rgb[(y * width + x) * 3 + 1] & 0xFF;
        }

        public int blue(int x, int y) {
            return rgb[(y * width + x) * 3 + 2] & 0xFF;
        }

        /** Whether pixel (x, y) is {@code 0xRRGGBBAA}'s colour, each channel within {@code tolerance}. */
        public boolean is(int x, int y, int rgba, int tolerance) {
            return Math.abs(red(x, y) - (rgba >>> 24)) <= tolerance
                    && Math.abs(green(x, y) - (rgba >>> 16 & 0xFF)) <= tolerance
                    && Math.abs(blue(x, y) - (rgba >>> 8 & 0xFF)) <= tolerance;
        }

        /** Pixels of {@code rgba}'s colour in [x0, x1) x [y0, y1). */
        public int count(int x0, int y0, int x1, int y1, int rgba, int tolerance) {
            int n = 0;
            for (int y = Math.max(0, y0); y < Math.min(height, y1); y++) {
                for (int x = Math.max(0, x0); x < Math.min(width, x1); x++) {
                    n += is(x, y, rgba, tolerance) ? 1 : 0;
                }
            }
            return n;
        }
    }
}
