package io.virta.viewer;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelWriter;
import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.bus.WritableFrame;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A YUV420P bus channel showing vertical colour bars of known RGB colours, written at a steady rate on
 * its own thread: the test pattern whose colours the screenshots check. The RGB to YUV conversion here is
 * written from the standards' definitions, independently of the viewer's shader coefficients.
 */
public final class ColorBars implements AutoCloseable {
    /** Saturated enough that the BT.601 and BT.709 matrices give visibly different results. */
    public static final int[][] BARS = {
            {200, 40, 40}, {40, 200, 40}, {40, 40, 200}, {220, 200, 40},
            {40, 190, 200}, {200, 40, 200}, {128, 128, 128}, {235, 235, 235}};

    private final ChannelWriter writer;
    private final int width;
    private final int height;
    private final byte[][] planes;
    private final Thread thread;
    private final AtomicLong written = new AtomicLong();
    private volatile boolean running = true;

    private ColorBars(String channel, int width, int height, int[][] bars, double fps, ColorMatrix matrix,
            ColorRange range, ColorMatrix encodeMatrix, ColorRange encodeRange) {
        this.width = width;
        this.height = height;
        this.writer = ChannelWriter.create(ChannelSpec.yuv420p(channel, width, height));
        this.planes = render(width, height, bars, encodeMatrix, encodeRange);
        long intervalNanos = (long) (1e9 / fps);
        thread = Thread.ofPlatform().daemon().name("color-bars-" + channel).start(() -> {
            long next = System.nanoTime();
            while (running) {
                writeFrame(matrix, range);
                next += intervalNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(sleep);
                }
            }
        });
    }

    /** Bars tagged and encoded with {@code matrix} and {@code range} (UNSPECIFIED: encoded as the viewer assumes). */
    public static ColorBars start(String channel, int width, int height, double fps, ColorMatrix matrix,
            ColorRange range) {
        return new ColorBars(channel, width, height, BARS, fps, matrix, range, matrix, range);
    }

    /** One solid colour over the whole picture. */
    public static ColorBars solid(String channel, int width, int height, double fps, int[] rgb) {
        return new ColorBars(channel, width, height, new int[][] {rgb}, fps, ColorMatrix.UNSPECIFIED,
                ColorRange.UNSPECIFIED, ColorMatrix.UNSPECIFIED, ColorRange.UNSPECIFIED);
    }

    private void writeFrame(ColorMatrix matrix, ColorRange range) {
        WritableFrame frame = writer.claim();
        MemorySegment payload = frame.payload();
        int cw = (width + 1) / 2;
        int ch = (height + 1) / 2;
        MemorySegment.copy(MemorySegment.ofArray(planes[0]), 0, payload, 0, planes[0].length);
        MemorySegment.copy(MemorySegment.ofArray(planes[1]), 0, payload, (long) width * height, planes[1].length);
        MemorySegment.copy(MemorySegment.ofArray(planes[2]), 0, payload, (long) width * height + (long) cw * ch,
                planes[2].length);
        long now = System.currentTimeMillis() * 1000;
        frame.payloadSize((long) width * height + 2L * cw * ch).size(width, height).stride(0, width).stride(1, cw)
                .stride(2, cw).planeOffset(1, width * height).planeOffset(2, width * height + cw * ch)
                .captureTimeMicros(now).arrivalTimeMicros(now).keyframe(true);
        frame.color(matrix, range);
        writer.commit();
        written.incrementAndGet();
    }

    /** Bar {@code i} of {@code count} spans columns [i * width / count, (i + 1) * width / count). */
    static byte[][] render(int width, int height, int[][] bars, ColorMatrix matrix, ColorRange range) {
        ColorMatrix m = matrix.assumedFor(height);
        boolean full = range.assumed() == ColorRange.FULL;
        int cw = (width + 1) / 2;
        int ch = (height + 1) / 2;
        byte[] y = new byte[width * height];
        byte[] u = new byte[cw * ch];
        byte[] v = new byte[cw * ch];
        for (int x = 0; x < width; x++) {
            int[] yuv = yuv(bars[Math.min(bars.length - 1, x * bars.length / width)], m, full);
            for (int row = 0; row < height; row++) {
                y[row * width + x] = (byte) yuv[0];
            }
            if (x % 2 == 0) {
                for (int row = 0; row < ch; row++) {
                    u[row * cw + x / 2] = (byte) yuv[1];
                    v[row * cw + x / 2] = (byte) yuv[2];
                }
            }
        }
        return new byte[][] {y, u, v};
    }

    /** ITU-R BT.601 / BT.709 / BT.2020 R'G'B' to Y'CbCr, 8 bit, limited or full range. */
    static int[] yuv(int[] rgb, ColorMatrix matrix, boolean full) {
        double kr = matrix == ColorMatrix.BT601 ? 0.299 : matrix == ColorMatrix.BT2020 ? 0.2627 : 0.2126;
        double kb = matrix == ColorMatrix.BT601 ? 0.114 : matrix == ColorMatrix.BT2020 ? 0.0593 : 0.0722;
        double r = rgb[0] / 255.0;
        double g = rgb[1] / 255.0;
        double b = rgb[2] / 255.0;
        double luma = kr * r + (1 - kr - kb) * g + kb * b;
        double cb = (b - luma) / (2 * (1 - kb));
        double cr = (r - luma) / (2 * (1 - kr));
        return full
                ? new int[] {clip(255 * luma), clip(128 + 255 * cb), clip(128 + 255 * cr)}
                : new int[] {clip(16 + 219 * luma), clip(128 + 224 * cb), clip(128 + 224 * cr)};
    }

    private static int clip(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    public long written() {
        return written.get();
    }

    /** Stops writing and closes the channel in order (a producer that stops). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2000);
        writer.close();
    }
}
