package io.virta.viewer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * A screenshot of part of a real X server's screen, taken the way a user would (ffmpeg's x11grab), not
 * read back through the viewer's own GL context: it shows what the windows really show.
 */
public final class Screen {
    private final int width;
    private final int height;
    private final byte[] rgb;

    private Screen(int width, int height, byte[] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    public static Screen grab(String display, int x, int y, int width, int height) throws IOException, InterruptedException {
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-loglevel", "error", "-f", "x11grab", "-video_size",
                width + "x" + height, "-i", display + "+" + x + "," + y, "-frames:v", "1", "-f", "rawvideo",
                "-pix_fmt", "rgb24", "-").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] bytes;
        try (InputStream in = ffmpeg.getInputStream()) {
            ByteArrayOutputStream all = new ByteArrayOutputStream(width * height * 3);
            in.transferTo(all);
            bytes = all.toByteArray();
        }
        if (!ffmpeg.waitFor(20, TimeUnit.SECONDS)) {
            ffmpeg.destroyForcibly();
            throw new IOException("ffmpeg x11grab of " + display + " did not finish");
        }
        if (bytes.length != width * height * 3) {
            throw new IOException("ffmpeg x11grab of " + display + " gave " + bytes.length + " bytes, not "
                    + width * height * 3 + " (exit " + ffmpeg.exitValue() + ")");
        }
        return new Screen(width, height, bytes);
    }

    /** The pixel at ({@code x}, {@code y}) of the grabbed area as {r, g, b}. */
    public int[] rgb(int x, int y) {
        int i = (y * width + x) * 3;
        return new int[] {rgb[i] & 0xff, rgb[i + 1] & 0xff, rgb[i + 2] & 0xff};
    }

    /** The mean colour of the square of side {@code 2 * radius + 1} around ({@code x}, {@code y}). */
    public int[] mean(int x, int y, int radius) {
        long[] sum = new long[3];
        int n = 0;
        for (int yy = Math.max(0, y - radius); yy <= Math.min(height - 1, y + radius); yy++) {
            for (int xx = Math.max(0, x - radius); xx <= Math.min(width - 1, x + radius); xx++) {
                int[] p = rgb(xx, yy);
                for (int c = 0; c < 3; c++) {
                    sum[c] += p[c];
                }
                n++;
            }
        }
        return new int[] {(int) (sum[0] / n), (int) (sum[1] / n), (int) (sum[2] / n)};
    }

    /** True when each channel of {@code actual} is within {@code tolerance} of {@code expected}. */
    public static boolean near(int[] actual, int[] expected, int tolerance) {
        for (int c = 0; c < 3; c++) {
            if (Math.abs(actual[c] - expected[c]) > tolerance) {
                return false;
            }
        }
        return true;
    }

    public static String text(int[] rgb) {
        return "(" + rgb[0] + "," + rgb[1] + "," + rgb[2] + ")";
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }
}
