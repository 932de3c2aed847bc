package io.virta.bus.tools;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The demo's moving picture in RGB24: a colour gradient (red grows to the right, green downwards) with
 * a white square bouncing left and right. Readers find the square by its white pixels, which the
 * gradient never produces (its blue is fixed at 64).
 */
public final class TestPattern {
    private final int width;
    private final int height;
    private final int side;
    private final MemorySegment background;

    public TestPattern(int width, int height) {
        this.width = width;
        this.height = height;
        this.side = Math.max(2, height / 6);
        this.background = Arena.ofAuto().allocate((long) width * height * 3, 64);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                long p = ((long) y * width + x) * 3;
                background.set(ValueLayout.JAVA_BYTE, p, (byte) (x * 255 / Math.max(1, width - 1)));
                background.set(ValueLayout.JAVA_BYTE, p + 1, (byte) (y * 255 / Math.max(1, height - 1)));
                background.set(ValueLayout.JAVA_BYTE, p + 2, (byte) 64);
            }
        }
    }

    public long frameBytes() {
        return background.byteSize();
    }

    /** Left edge of the square in frame {@code index}: it crosses the picture and back every 4 s at 25 fps. */
    public int squareX(long index) {
        int travel = width - side;
        int period = 100;
        int phase = (int) (index % period);
        int half = period / 2;
        return phase < half ? travel * phase / half : travel * (period - phase) / half;
    }

    public int squareY() {
        return (height - side) / 2;
    }

    public int side() {
        return side;
    }

    /** Draws frame {@code index} into {@code target}, which may be a claimed bus cell. */
    public void render(long index, MemorySegment target) {
        MemorySegment.copy(background, 0, target, 0, background.byteSize());
        int x0 = squareX(index);
        int y0 = squareY();
        for (int y = y0; y < y0 + side; y++) {
            target.asSlice(((long) y * width + x0) * 3, (long) side * 3).fill((byte) 0xFF);
        }
    }

    /** Finds the square's left edge in an RGB24 picture of this size, or -1: what a reader would do. */
    public static int findSquare(MemorySegment rgb, int width, int height) {
        long row = (long) (height / 2) * width * 3;
        for (int x = 0; x < width; x++) {
            long p = row + (long) x * 3;
            if (rgb.get(ValueLayout.JAVA_BYTE, p) == (byte) 0xFF && rgb.get(ValueLayout.JAVA_BYTE, p + 1) == (byte) 0xFF
                    && rgb.get(ValueLayout.JAVA_BYTE, p + 2) == (byte) 0xFF) {
                return x;
            }
        }
        return -1;
    }
}
