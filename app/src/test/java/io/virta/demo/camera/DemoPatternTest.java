package io.virta.demo.camera;

import io.virta.demo.camera.DemoPattern.Bar;
import io.virta.demo.camera.DemoPattern.NormalizedBox;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoPatternTest {
    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    /** 2026-11-06T13:07:42.815Z */
    private static final long SOME_TIME_MICROS = 1_793_970_462_815_000L;

    private final DemoPattern pattern = new DemoPattern(WIDTH, HEIGHT);
    private final MemorySegment frame = Arena.ofAuto().allocate(pattern.frameBytes());

    @Test
    void barYuvValuesFollowFromBt601LimitedRangeFormulas() {
        for (Bar bar : Bar.values()) {
            double r = bar.red / 255.0;
            double g = bar.green / 255.0;
            double b = bar.blue / 255.0;
            double luma = 0.299 * r + 0.587 * g + 0.114 * b;
            assertEquals(16 + 219 * luma, bar.y, 1.0, bar + " Y");
            assertEquals(128 + 224 * (b - luma) / 1.772, bar.u, 1.0, bar + " U");
            assertEquals(128 + 224 * (r - luma) / 1.402, bar.v, 1.0, bar + " V");
        }
    }

    @Test
    void barsHaveTheirColoursOnTheSampleRowInEveryFrame() {
        int row = pattern.barSampleRow();
        for (long n = 0; n < 300; n += 7) {
            pattern.render(n, SOME_TIME_MICROS, frame);
            for (Bar bar : Bar.values()) {
                int x = pattern.barCenterX(bar);
                assertEquals(bar.y, luma(frame, WIDTH, x, row), "frame " + n + " " + bar + " Y");
                assertEquals(bar.u, chroma(frame, WIDTH, HEIGHT, 0, x, row), "frame " + n + " " + bar + " U");
                assertEquals(bar.v, chroma(frame, WIDTH, HEIGHT, 1, x, row), "frame " + n + " " + bar + " V");
            }
        }
    }

    @Test
    void barsRunLeftToRightInEightEqualColumns() {
        pattern.render(0, SOME_TIME_MICROS, frame);
        int row = pattern.barSampleRow();
        for (int i = 0; i < 8; i++) {
            Bar bar = Bar.values()[i];
            assertEquals(bar.y, luma(frame, WIDTH, i * WIDTH / 8 + 1, row), bar + " at its left edge");
            assertEquals(bar.y, luma(frame, WIDTH, (i + 1) * WIDTH / 8 - 2, row), bar + " at its right edge");
        }
    }

    @Test
    void squareIsDrawnExactlyWhereItsBoxSays() {
        for (long n : new long[] {0, 1, 13, 49, 50, 51, 99, 100, 12345}) {
            pattern.render(n, SOME_TIME_MICROS, frame);
            int[] box = pixels(pattern.squareBox(n));
            assertEquals(box[2], box[3], "a square");
            for (int y = box[1]; y < box[1] + box[3]; y++) {
                for (int x = box[0]; x < box[0] + box[2]; x++) {
                    assertEquals(DemoPattern.SQUARE_Y, luma(frame, WIDTH, x, y), "frame " + n + " square at " + x + "," + y);
                }
            }
            if (box[0] > 0) {
                assertNotEquals(DemoPattern.SQUARE_Y, luma(frame, WIDTH, box[0] - 1, box[1] + box[3] / 2), "left of the square");
            }
            if (box[0] + box[2] < WIDTH) {
                assertNotEquals(DemoPattern.SQUARE_Y, luma(frame, WIDTH, box[0] + box[2], box[1] + box[3] / 2), "right of the square");
            }
        }
    }

    @Test
    void squareBouncesHorizontallyOnceEveryHundredFrames() {
        NormalizedBox start = pattern.squareBox(0);
        assertEquals(0.0, start.x(), "starts at the left edge");
        NormalizedBox turn = pattern.squareBox(50);
        assertEquals(1.0, turn.right(), 1.0 / WIDTH, "turns at the right edge");
        assertEquals(start, pattern.squareBox(100), "back after a period");
        for (long n = 0; n < 100; n++) {
            NormalizedBox now = pattern.squareBox(n);
            NormalizedBox next = pattern.squareBox(n + 1);
            assertEquals(start.y(), now.y(), "moves horizontally only");
            assertEquals(start.width(), now.width(), "keeps its size");
            double step = next.x() - now.x();
            assertTrue(n < 50 ? step > 0 : step < 0, "frame " + n + ": right for 50 frames, then left; step " + step);
        }
    }

    @Test
    void circleIsDrawnInsideItsBoxAndTouchesAllFourSides() {
        for (long n : new long[] {0, 1, 37, 75, 150, 299, 4242}) {
            pattern.render(n, SOME_TIME_MICROS, frame);
            int[] box = pixels(pattern.circleBox(n));
            NormalizedBox clock = pattern.clockBox();
            int minX = Integer.MAX_VALUE, minY = Integer.MAX_VALUE, maxX = -1, maxY = -1;
            for (int y = 0; y < HEIGHT; y++) {
                for (int x = 0; x < WIDTH; x++) {
                    // No other part of the picture has the circle's luma.
                    if (luma(frame, WIDTH, x, y) == DemoPattern.CIRCLE_Y) {
                        minX = Math.min(minX, x);
                        minY = Math.min(minY, y);
                        maxX = Math.max(maxX, x);
                        maxY = Math.max(maxY, y);
                    }
                }
            }
            boolean underClock = pattern.circleBox(n).intersectionOverUnion(clock) > 0;
            if (!underClock) {
                assertArrayEquals(box, new int[] {minX, minY, maxX - minX + 1, maxY - minY + 1}, "frame " + n);
            }
            assertEquals(DemoPattern.CIRCLE_Y, luma(frame, WIDTH, box[0] + box[2] / 2, box[1] + box[3] / 2), "centre");
            assertNotEquals(DemoPattern.CIRCLE_Y, luma(frame, WIDTH, box[0], box[1]), "corner of the box is outside the circle");
        }
    }

    @Test
    void circleFollowsALissajousPathThatRepeatsEvery300Frames() {
        NormalizedBox first = pattern.circleBox(0);
        assertEquals(first, pattern.circleBox(300));
        assertEquals(pattern.circleBox(17), pattern.circleBox(317));
        double minX = 1, maxX = 0, minY = 1, maxY = 0;
        int stillFrames = 0;
        for (long n = 0; n < 300; n++) {
            NormalizedBox box = pattern.circleBox(n);
            minX = Math.min(minX, box.x());
            maxX = Math.max(maxX, box.right());
            minY = Math.min(minY, box.y());
            maxY = Math.max(maxY, box.bottom());
            assertTrue(box.x() >= 0 && box.right() <= 1 && box.y() >= 0 && box.bottom() <= 1, "inside the picture");
            assertEquals(0.0, box.intersectionOverUnion(pattern.squareBox(n)), "never overlaps the square");
            double moved = Math.hypot(pattern.circleBox(n + 1).x() - box.x(), pattern.circleBox(n + 1).y() - box.y());
            // Positions are even pixels (whole chroma samples), so near a turn it may rest for a frame.
            double movedBefore = Math.hypot(box.x() - pattern.circleBox(n - 1).x(), box.y() - pattern.circleBox(n - 1).y());
            assertTrue(moved > 0 || movedBefore > 0, "frame " + n + ": never still for two frames");
            assertTrue(moved < 0.05, "frame " + n + ": moves smoothly, " + moved);
            stillFrames += moved == 0 ? 1 : 0;
        }
        assertTrue(stillFrames < 15, "mostly in motion: still in " + stillFrames + " of 300 frames");
        assertTrue(maxX - minX > 0.9, "sweeps the width: " + minX + ".." + maxX);
        assertTrue(maxY - minY > 0.35, "sweeps the lower band: " + minY + ".." + maxY);
        assertTrue(minY > pattern.squareBox(0).bottom(), "stays below the square's band");
    }

    @Test
    void frameNumberRoundTripsThroughTheStrip() {
        for (long n : new long[] {0, 1, 2, 3, 255, 256, 65_535, 1_000_000, 0x7FFF_FFFFL, 0xFFFF_FFFFL, 0xAAAA_AAAAL}) {
            pattern.render(n, SOME_TIME_MICROS, frame);
            assertEquals(n, DemoPattern.decodeFrameNumber(frame, WIDTH, HEIGHT));
        }
        pattern.render(0x1_0000_0005L, SOME_TIME_MICROS, frame);
        assertEquals(5, DemoPattern.decodeFrameNumber(frame, WIDTH, HEIGHT), "modulo 2^32");
    }

    @Test
    void frameNumberRoundTripsAtOtherSizesAndFromRgb() {
        for (int[] size : new int[][] {{256, 128}, {640, 360}, {1280, 720}, {1920, 1080}}) {
            DemoPattern other = new DemoPattern(size[0], size[1]);
            MemorySegment picture = Arena.ofAuto().allocate(other.frameBytes());
            other.render(123_456_789, SOME_TIME_MICROS, picture);
            assertEquals(123_456_789, DemoPattern.decodeFrameNumber(picture, size[0], size[1]), size[0] + "x" + size[1]);
            MemorySegment rgb = toRgb24(picture, size[0], size[1]);
            assertEquals(123_456_789, DemoPattern.decodeFrameNumberRgb24(rgb, size[0], size[1]), size[0] + "x" + size[1] + " RGB");
        }
    }

    @Test
    void decodingAPictureWithoutAStripSaysSo() {
        MemorySegment grey = Arena.ofAuto().allocate(pattern.frameBytes()).fill((byte) 128);
        assertEquals(-1, DemoPattern.decodeFrameNumber(grey, WIDTH, HEIGHT));
        assertThrows(IllegalArgumentException.class, () -> DemoPattern.decodeFrameNumber(grey, WIDTH, HEIGHT + 2));
        assertThrows(IllegalArgumentException.class, () -> DemoPattern.decodeFrameNumber(grey, 128, 96));
    }

    @Test
    void clockShowsTheFrameNumberAndTheTimeOfDay() {
        pattern.render(4711, SOME_TIME_MICROS, frame);
        assertEquals("000004711", readClockLine(pattern, frame, 0, 9));
        assertEquals("13:07:42.815", readClockLine(pattern, frame, 1, 12));

        DemoPattern helsinki = new DemoPattern(640, 480, ZoneOffset.ofHours(2));
        MemorySegment big = Arena.ofAuto().allocate(helsinki.frameBytes());
        helsinki.render(999_999_999_123L, SOME_TIME_MICROS + 1000, big);
        assertEquals(2, helsinki.clockScale(), "scaled up with the picture");
        assertEquals("999999123", readClockLine(helsinki, big, 0, 9), "the last nine digits");
        assertEquals("15:07:42.816", readClockLine(helsinki, big, 1, 12));
    }

    @Test
    void clockBoxIsBlackAndInTheBottomRightCorner() {
        pattern.render(0, SOME_TIME_MICROS, frame);
        int[] box = pixels(pattern.clockBox());
        assertTrue(box[0] + box[2] > WIDTH - 10 && box[1] + box[3] > HEIGHT - 10, "bottom right");
        assertEquals(DemoPattern.BLACK_Y, luma(frame, WIDTH, box[0], box[1]));
        assertEquals(DemoPattern.BLACK_Y, luma(frame, WIDTH, box[0] + box[2] - 1, box[1] + box[3] - 1));
    }

    @Test
    void renderingIsDeterministicAndWorksIntoAByteBuffer() {
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) pattern.frameBytes());
        pattern.render(77, SOME_TIME_MICROS, buffer);
        new DemoPattern(WIDTH, HEIGHT).render(77, SOME_TIME_MICROS, frame);
        assertEquals(-1, MemorySegment.ofBuffer(buffer).mismatch(frame), "same frame, same bytes");
        assertThrows(IllegalArgumentException.class, () -> pattern.render(0, 0, Arena.ofAuto().allocate(100)));
        assertThrows(IllegalArgumentException.class, () -> new DemoPattern(321, 240));
        assertThrows(IllegalArgumentException.class, () -> new DemoPattern(200, 240));
    }

    /** Ground rule: drawing a frame allocates nothing once compiled. */
    @Test
    void renderingAllocatesNothingInSteadyState() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        double fewest = Double.MAX_VALUE;
        long n = 0;
        for (int round = 0; round < 8; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 300; i++) {
                pattern.render(n++, SOME_TIME_MICROS + n * 40_000, frame);
            }
            fewest = Math.min(fewest, (threads.getThreadAllocatedBytes(thread) - before) / 300.0);
        }
        assertTrue(fewest < 1, "bytes allocated per frame once compiled: " + fewest);
    }

    // --- helpers shared with the encoder test -----------------------------------------------

    static int luma(MemorySegment i420, int width, int x, int y) {
        return i420.get(ValueLayout.JAVA_BYTE, (long) y * width + x) & 0xFF;
    }

    /** Plane 0 is U, 1 is V; x and y are luma coordinates. */
    static int chroma(MemorySegment i420, int width, int height, int plane, int x, int y) {
        long lumaBytes = (long) width * height;
        long offset = lumaBytes + plane * lumaBytes / 4 + (long) (y / 2) * (width / 2) + x / 2;
        return i420.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    private int[] pixels(NormalizedBox box) {
        return new int[] {(int) Math.round(box.x() * WIDTH), (int) Math.round(box.y() * HEIGHT),
                (int) Math.round(box.width() * WIDTH), (int) Math.round(box.height() * HEIGHT)};
    }

    /** Reads a clock line back by matching each character cell against the font: a tiny OCR. */
    static String readClockLine(DemoPattern pattern, MemorySegment frame, int line, int characters) {
        int scale = pattern.clockScale();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < characters; i++) {
            int left = pattern.clockTextX(i);
            int top = pattern.clockTextY(line);
            char match = '?';
            for (int glyph = 0; glyph < ClockFont.glyphCount(); glyph++) {
                boolean same = true;
                for (int row = 0; row < ClockFont.GLYPH_HEIGHT && same; row++) {
                    for (int column = 0; column < ClockFont.GLYPH_WIDTH && same; column++) {
                        int value = luma(frame, pattern.width(), left + column * scale + scale / 2, top + row * scale + scale / 2);
                        same = (value > 128) == ClockFont.lit(glyph, row, column);
                    }
                }
                if (same) {
                    match = ClockFont.character(glyph);
                    break;
                }
            }
            text.append(match);
        }
        return text.toString();
    }

    /** BT.601 limited range to full-range RGB24, as a player would convert. */
    static MemorySegment toRgb24(MemorySegment i420, int width, int height) {
        MemorySegment rgb = Arena.ofAuto().allocate((long) width * height * 3);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double luma = (luma(i420, width, x, y) - 16) * 255.0 / 219;
                double u = (chroma(i420, width, height, 0, x, y) - 128) * 255.0 / 224;
                double v = (chroma(i420, width, height, 1, x, y) - 128) * 255.0 / 224;
                long p = ((long) y * width + x) * 3;
                rgb.set(ValueLayout.JAVA_BYTE, p, clamp(luma + 1.402 * v));
                rgb.set(ValueLayout.JAVA_BYTE, p + 1, clamp(luma - 0.344136 * u - 0.714136 * v));
                rgb.set(ValueLayout.JAVA_BYTE, p + 2, clamp(luma + 1.772 * u));
            }
        }
        return rgb;
    }

    private static byte clamp(double value) {
        return (byte) Math.max(0, Math.min(255, Math.round(value)));
    }
}
