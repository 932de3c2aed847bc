package io.virta.demo.camera;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.ZoneOffset;

/**
 * The demo camera's picture: a deterministic synthetic scene, drawn frame by frame into an I420
 * (YUV 4:2:0 planar, BT.601 limited range) buffer, and built so that tests of a video pipeline can
 * check what comes out of the far end.
 *
 * <p>What is in frame {@code n}, from the back to the front:
 * <ul>
 *   <li>Eight vertical 75% colour bars across the whole picture, left to right in {@link Bar} order.
 *       Their exact YUV values are in {@link Bar}. Row {@link #barSampleRow()} shows nothing but the
 *       bars in every frame: sample colours there, at {@link #barCenterX(Bar)}.</li>
 *   <li>A white square ({@link #SQUARE_Y}) that bounces left and right in a horizontal band, one round
 *       trip every {@link #SQUARE_PERIOD_FRAMES} frames; see {@link #squareBox(long)}.</li>
 *   <li>A pale yellow circle ({@link #CIRCLE_Y}, {@link #CIRCLE_U}, {@link #CIRCLE_V}) on a Lissajous
 *       path below the square's band (periods {@link #CIRCLE_X_PERIOD_FRAMES} and
 *       {@link #CIRCLE_Y_PERIOD_FRAMES} frames), never overlapping the square; see
 *       {@link #circleBox(long)}.</li>
 *   <li>A clock in a black box in the bottom-right corner ({@link #clockBox()}): the frame number
 *       (9 digits) over the wall-clock time {@code HH:MM:SS.mmm}, white, in a built-in 5x7 font
 *       scaled up with the picture (1x per 240 rows), so it can be read in a screenshot. It changes
 *       every frame: motion detectors see it as motion.</li>
 *   <li>Across the top {@link #stripHeight()} rows, the frame number as 32 black (0) or white (1)
 *       blocks, most significant bit on the left, each {@code width / 32} pixels wide. It survives
 *       lossy compression and scaling to RGB; {@link #decodeFrameNumber} reads it back.</li>
 * </ul>
 *
 * <p>Rendering allocates nothing: the static background is drawn once and copied, and the moving
 * parts are filled from pre-made runs of constant bytes. An instance is not thread-safe; use one per
 * rendering thread.
 */
public final class DemoPattern {
    /** Number of blocks, hence bits of the frame number, in the strip on the top rows. */
    public static final int STRIP_BITS = 32;
    /** Luma of a 1 block in the strip, of the square, and of the clock's digits (100% white). */
    public static final int WHITE_Y = 235;
    /** Luma of a 0 block in the strip and of the clock's box (black). */
    public static final int BLACK_Y = 16;
    /** Chroma of every grey: strip, square, clock. */
    public static final int NEUTRAL_CHROMA = 128;
    public static final int SQUARE_Y = WHITE_Y;
    /** The circle's colour: full-range RGB (255, 255, 128) in BT.601 limited range. */
    public static final int CIRCLE_Y = 222;
    public static final int CIRCLE_U = 72;
    public static final int CIRCLE_V = 137;
    public static final int SQUARE_PERIOD_FRAMES = 100;
    public static final int CIRCLE_X_PERIOD_FRAMES = 150;
    public static final int CIRCLE_Y_PERIOD_FRAMES = 100;
    /** The smallest picture the strip fits in: 32 blocks of at least 8 pixels. */
    public static final int MIN_WIDTH = STRIP_BITS * 8;
    public static final int MIN_HEIGHT = 128;

    /**
     * The eight 75% colour bars (EBU/SMPTE order), as BT.601 limited-range YUV ("studio swing":
     * Y 16..235, U/V 16..240), and as the full-range RGB a decoder should turn them into.
     * The YUV values follow from RGB = 0.75 x full scale through
     * {@code Y = 16 + 219 (0.299 R + 0.587 G + 0.114 B)}, {@code U = 128 + 224 (B - Y') / 1.772},
     * {@code V = 128 + 224 (R - Y') / 1.402}, rounded.
     */
    public enum Bar {
        WHITE(180, 128, 128, 191, 191, 191),
        YELLOW(162, 44, 142, 191, 191, 0),
        CYAN(131, 156, 44, 0, 191, 191),
        GREEN(112, 72, 58, 0, 191, 0),
        MAGENTA(84, 184, 198, 191, 0, 191),
        RED(65, 100, 212, 191, 0, 0),
        BLUE(35, 212, 114, 0, 0, 191),
        BLACK(16, 128, 128, 0, 0, 0);

        public final int y;
        public final int u;
        public final int v;
        public final int red;
        public final int green;
        public final int blue;

        Bar(int y, int u, int v, int red, int green, int blue) {
            this.y = y;
            this.u = u;
            this.v = v;
            this.red = red;
            this.green = green;
            this.blue = blue;
        }
    }

    /** A rectangle in picture coordinates scaled to 0..1: {@code x} and {@code width} are fractions of the width. */
    public record NormalizedBox(double x, double y, double width, double height) {
        public double right() {
            return x + width;
        }

        public double bottom() {
            return y + height;
        }

        /** Area of the overlap divided by the area of the union: 1 for the same box, 0 for disjoint ones. */
        public double intersectionOverUnion(NormalizedBox other) {
            double overlapWidth = Math.max(0, Math.min(right(), other.right()) - Math.max(x, other.x));
            double overlapHeight = Math.max(0, Math.min(bottom(), other.bottom()) - Math.max(y, other.y));
            double overlap = overlapWidth * overlapHeight;
            double union = width * height + other.width * other.height - overlap;
            return union <= 0 ? 0 : overlap / union;
        }
    }

    private static final int BAR_COUNT = Bar.values().length;
    private static final int CLOCK_LINE_CHARS = 12; // HH:MM:SS.mmm
    private static final int CLOCK_FRAME_DIGITS = 9;

    private final int width;
    private final int height;
    private final int chromaWidth;
    private final int chromaHeight;
    private final long lumaBytes;
    private final long chromaBytes;
    private final long frameBytes;
    private final int zoneOffsetMillis;

    private final int stripHeight;
    private final int blockWidth;
    private final int squareSide;
    private final int squareTop;
    private final int circleRadius;
    /** The circle's centre over one period of each axis: x for phase 0..149, y for phase 0..99. */
    private final int[] circlePathX;
    private final int[] circlePathY;
    /** Half the width of the circle's row {@code cy - r + k}, in luma pixels; the same per chroma row below. */
    private final int[] circleLumaHalfWidths;
    private final int[] circleChromaHalfWidths;
    private final int clockScale;
    private final int clockX;
    private final int clockY;
    private final int clockWidth;
    private final int clockHeight;

    /** The bars, the black strip area and nothing else: copied into every frame first. */
    private final MemorySegment background;
    /** 256 rows of {@code width} bytes, row {@code v} all {@code v}: the source of every fill. */
    private final MemorySegment runs;
    private final int[] clockGlyphs = new int[CLOCK_FRAME_DIGITS + CLOCK_LINE_CHARS];

    private ByteBuffer lastBuffer;
    private MemorySegment lastBufferSegment;

    /** A pattern whose clock shows UTC. */
    public DemoPattern(int width, int height) {
        this(width, height, ZoneOffset.UTC);
    }

    /** A pattern whose clock shows the time of day at {@code clockZone}. */
    public DemoPattern(int width, int height, ZoneOffset clockZone) {
        if (width < MIN_WIDTH || height < MIN_HEIGHT || (width & 1) != 0 || (height & 1) != 0) {
            throw new IllegalArgumentException("demo pattern size " + width + "x" + height
                    + ": width and height must be even and at least " + MIN_WIDTH + "x" + MIN_HEIGHT);
        }
        this.width = width;
        this.height = height;
        this.chromaWidth = width / 2;
        this.chromaHeight = height / 2;
        this.lumaBytes = (long) width * height;
        this.chromaBytes = (long) chromaWidth * chromaHeight;
        this.frameBytes = lumaBytes + 2 * chromaBytes;
        this.zoneOffsetMillis = clockZone.getTotalSeconds() * 1000;

        // Whole macroblock rows for the strip, so an encoder codes it apart from the picture below.
        this.stripHeight = roundUp(Math.max(16, height / 45), 16);
        this.blockWidth = width / STRIP_BITS;
        this.squareSide = even(height / 8);
        this.squareTop = even(Math.max(stripHeight + 8, height / 4));
        this.circleRadius = even(height / 10);
        int circleBandTop = squareTop + squareSide + 4;
        int centerYMin = circleBandTop + circleRadius;
        int centerYMax = height - 2 - circleRadius;
        int centerYMid = even((centerYMin + centerYMax) / 2);
        int centerXMid = even(width / 2);
        this.circlePathX = sinePath(CIRCLE_X_PERIOD_FRAMES, centerXMid, centerXMid - circleRadius - 2, false);
        this.circlePathY = sinePath(CIRCLE_Y_PERIOD_FRAMES, centerYMid,
                Math.min(centerYMid - centerYMin, centerYMax - centerYMid), true);
        this.circleLumaHalfWidths = circleHalfWidths(circleRadius, 1);
        this.circleChromaHalfWidths = circleHalfWidths(circleRadius, 2);

        this.clockScale = Math.max(1, height / 240);
        int pad = 3 * clockScale;
        int cell = (ClockFont.GLYPH_WIDTH + 1) * clockScale;
        this.clockWidth = roundUp(2 * pad + CLOCK_LINE_CHARS * cell - clockScale, 2);
        this.clockHeight = roundUp(2 * pad + 2 * ClockFont.GLYPH_HEIGHT * clockScale + 3 * clockScale, 2);
        this.clockX = even(width - clockWidth - 2 * clockScale);
        this.clockY = even(height - clockHeight - 2 * clockScale);

        Arena arena = Arena.ofAuto();
        this.runs = arena.allocate(256L * width, 64);
        for (int value = 0; value < 256; value++) {
            runs.asSlice((long) value * width, width).fill((byte) value);
        }
        this.background = arena.allocate(frameBytes, 64);
        drawBackground();
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Bytes of one I420 frame of this size: {@code width * height * 3 / 2}. */
    public long frameBytes() {
        return frameBytes;
    }

    public static long frameBytes(int width, int height) {
        return (long) width * height + 2L * (width / 2) * (height / 2);
    }

    /** Rows at the top that hold the frame-number strip. */
    public int stripHeight() {
        return stripHeight;
    }

    /** A row that shows only the colour bars, in every frame (between the strip and the square's band). */
    public int barSampleRow() {
        return (stripHeight + squareTop) / 2;
    }

    /** The x of the middle of {@code bar}: the pixel to sample for its colour. */
    public int barCenterX(Bar bar) {
        return (barLeft(bar.ordinal()) + barLeft(bar.ordinal() + 1)) / 2;
    }

    /**
     * Draws frame {@code frameNumber} into {@code i420} (at least {@link #frameBytes()} bytes: the Y
     * plane, then U, then V, no padding), with {@code wallClockMicros} (µs since the Unix epoch) as
     * the clock's time.
     */
    public void render(long frameNumber, long wallClockMicros, MemorySegment i420) {
        if (i420.byteSize() < frameBytes) {
            throw new IllegalArgumentException("an I420 frame of " + width + "x" + height + " needs " + frameBytes
                    + " bytes, the buffer has " + i420.byteSize());
        }
        MemorySegment.copy(background, 0, i420, 0, frameBytes);
        drawSquare(frameNumber, i420);
        drawCircle(frameNumber, i420);
        drawClock(frameNumber, wallClockMicros, i420);
        drawStrip(frameNumber, i420);
    }

    /** As {@link #render(long, long, MemorySegment)}, into a buffer's bytes from 0 (its position is ignored). */
    public void render(long frameNumber, long wallClockMicros, ByteBuffer i420) {
        if (i420 != lastBuffer) {
            // Wrapping costs an object; a caller that reuses its buffer pays it once.
            lastBufferSegment = MemorySegment.ofBuffer(i420.duplicate().clear());
            lastBuffer = i420;
        }
        render(frameNumber, wallClockMicros, lastBufferSegment);
    }

    /** Where the square is in frame {@code frameNumber}: exactly the pixels drawn, scaled to 0..1. */
    public NormalizedBox squareBox(long frameNumber) {
        return normalized(squareLeft(frameNumber), squareTop, squareSide, squareSide);
    }

    /** The bounding box of the circle in frame {@code frameNumber}, scaled to 0..1 (parts may hide under the clock). */
    public NormalizedBox circleBox(long frameNumber) {
        int diameter = 2 * circleRadius;
        return normalized(circleCenterX(frameNumber) - circleRadius, circleCenterY(frameNumber) - circleRadius,
                diameter, diameter);
    }

    /** The clock's black box, which never moves. */
    public NormalizedBox clockBox() {
        return normalized(clockX, clockY, clockWidth, clockHeight);
    }

    /** The frame-number strip across the top rows. */
    public NormalizedBox stripBox() {
        return normalized(0, 0, width, stripHeight);
    }

    /**
     * Reads the frame number (modulo 2^32) back from the strip of an I420 picture of this size, for
     * instance one that went through an encoder and a decoder; -1 when a block is neither clearly
     * black nor clearly white (no strip there, or a picture too damaged to trust).
     */
    public static long decodeFrameNumber(MemorySegment i420, int width, int height) {
        requireSize(i420, frameBytes(width, height), width, height, "I420");
        return decodeStrip(i420, width, height, 1, BLACK_Y, WHITE_Y);
    }

    /** As {@link #decodeFrameNumber}, from a packed RGB24 picture (a decoder's output after conversion). */
    public static long decodeFrameNumberRgb24(MemorySegment rgb24, int width, int height) {
        requireSize(rgb24, (long) width * height * 3, width, height, "RGB24");
        return decodeStrip(rgb24, width, height, 3, 0, 255);
    }

    // --- drawing -------------------------------------------------------------------------------

    private void drawBackground() {
        for (int bar = 0; bar < Bar.values().length; bar++) {
            Bar colour = Bar.values()[bar];
            int left = barLeft(bar);
            int right = barLeft(bar + 1);
            for (int y = 0; y < height; y++) {
                fill(background, lumaOffset(left, y), right - left, colour.y);
            }
            for (int y = 0; y < chromaHeight; y++) {
                fill(background, uOffset(left / 2, y), (right - left) / 2, colour.u);
                fill(background, vOffset(left / 2, y), (right - left) / 2, colour.v);
            }
        }
        for (int y = 0; y < stripHeight; y++) {
            fill(background, lumaOffset(0, y), width, BLACK_Y);
        }
        for (int y = 0; y < stripHeight / 2; y++) {
            fill(background, uOffset(0, y), chromaWidth, NEUTRAL_CHROMA);
            fill(background, vOffset(0, y), chromaWidth, NEUTRAL_CHROMA);
        }
    }

    private void drawSquare(long frameNumber, MemorySegment frame) {
        int left = squareLeft(frameNumber);
        for (int y = squareTop; y < squareTop + squareSide; y++) {
            fill(frame, lumaOffset(left, y), squareSide, SQUARE_Y);
        }
        // Left, top and side are even, so the square covers whole chroma samples.
        for (int y = squareTop / 2; y < (squareTop + squareSide) / 2; y++) {
            fill(frame, uOffset(left / 2, y), squareSide / 2, NEUTRAL_CHROMA);
            fill(frame, vOffset(left / 2, y), squareSide / 2, NEUTRAL_CHROMA);
        }
    }

    private void drawCircle(long frameNumber, MemorySegment frame) {
        int centerX = circleCenterX(frameNumber);
        int centerY = circleCenterY(frameNumber);
        for (int k = 0; k < circleLumaHalfWidths.length; k++) {
            int half = circleLumaHalfWidths[k];
            fill(frame, lumaOffset(centerX - half, centerY - circleRadius + k), 2 * half, CIRCLE_Y);
        }
        int chromaCenterX = centerX / 2;
        int chromaTop = (centerY - circleRadius) / 2;
        for (int k = 0; k < circleChromaHalfWidths.length; k++) {
            int half = circleChromaHalfWidths[k];
            fill(frame, uOffset(chromaCenterX - half, chromaTop + k), 2 * half, CIRCLE_U);
            fill(frame, vOffset(chromaCenterX - half, chromaTop + k), 2 * half, CIRCLE_V);
        }
    }

    private void drawClock(long frameNumber, long wallClockMicros, MemorySegment frame) {
        for (int y = clockY; y < clockY + clockHeight; y++) {
            fill(frame, lumaOffset(clockX, y), clockWidth, BLACK_Y);
        }
        for (int y = clockY / 2; y < (clockY + clockHeight) / 2; y++) {
            fill(frame, uOffset(clockX / 2, y), clockWidth / 2, NEUTRAL_CHROMA);
            fill(frame, vOffset(clockX / 2, y), clockWidth / 2, NEUTRAL_CHROMA);
        }
        long shownNumber = Math.floorMod(frameNumber, 1_000_000_000L);
        for (int i = CLOCK_FRAME_DIGITS - 1; i >= 0; i--) {
            clockGlyphs[i] = (int) (shownNumber % 10);
            shownNumber /= 10;
        }
        long millisOfDay = Math.floorMod(Math.floorDiv(wallClockMicros, 1000) + zoneOffsetMillis, 86_400_000L);
        int time = CLOCK_FRAME_DIGITS;
        putTwoDigits(time, (int) (millisOfDay / 3_600_000));
        clockGlyphs[time + 2] = ClockFont.COLON;
        putTwoDigits(time + 3, (int) (millisOfDay / 60_000 % 60));
        clockGlyphs[time + 5] = ClockFont.COLON;
        putTwoDigits(time + 6, (int) (millisOfDay / 1000 % 60));
        clockGlyphs[time + 8] = ClockFont.DOT;
        int millis = (int) (millisOfDay % 1000);
        clockGlyphs[time + 9] = millis / 100;
        clockGlyphs[time + 10] = millis / 10 % 10;
        clockGlyphs[time + 11] = millis % 10;

        int pad = 3 * clockScale;
        for (int i = 0; i < CLOCK_FRAME_DIGITS; i++) {
            drawGlyph(frame, clockGlyphs[i], clockTextX(i), clockY + pad);
        }
        int secondLine = clockY + pad + (ClockFont.GLYPH_HEIGHT + 3) * clockScale;
        for (int i = 0; i < CLOCK_LINE_CHARS; i++) {
            drawGlyph(frame, clockGlyphs[CLOCK_FRAME_DIGITS + i], clockTextX(i), secondLine);
        }
    }

    private void putTwoDigits(int at, int value) {
        clockGlyphs[at] = value / 10;
        clockGlyphs[at + 1] = value % 10;
    }

    private void drawGlyph(MemorySegment frame, int glyph, int left, int top) {
        for (int row = 0; row < ClockFont.GLYPH_HEIGHT; row++) {
            for (int column = 0; column < ClockFont.GLYPH_WIDTH; column++) {
                if (ClockFont.lit(glyph, row, column)) {
                    int x = left + column * clockScale;
                    for (int dy = 0; dy < clockScale; dy++) {
                        fill(frame, lumaOffset(x, top + row * clockScale + dy), clockScale, WHITE_Y);
                    }
                }
            }
        }
    }

    private void drawStrip(long frameNumber, MemorySegment frame) {
        for (int bit = 0; bit < STRIP_BITS; bit++) {
            boolean one = ((frameNumber >>> (STRIP_BITS - 1 - bit)) & 1) != 0;
            int value = one ? WHITE_Y : BLACK_Y;
            for (int y = 0; y < stripHeight; y++) {
                fill(frame, lumaOffset(bit * blockWidth, y), blockWidth, value);
            }
        }
    }

    // --- geometry ------------------------------------------------------------------------------

    int squareLeft(long frameNumber) {
        int travel = width - squareSide;
        int half = SQUARE_PERIOD_FRAMES / 2;
        int phase = (int) Math.floorMod(frameNumber, (long) SQUARE_PERIOD_FRAMES);
        int steps = phase < half ? phase : SQUARE_PERIOD_FRAMES - phase;
        return even(travel * steps / half);
    }

    int circleCenterX(long frameNumber) {
        return circlePathX[(int) Math.floorMod(frameNumber, (long) CIRCLE_X_PERIOD_FRAMES)];
    }

    int circleCenterY(long frameNumber) {
        return circlePathY[(int) Math.floorMod(frameNumber, (long) CIRCLE_Y_PERIOD_FRAMES)];
    }

    /**
     * One period of a sine-shaped path, rounded to even pixels. StrictMath gives the same path on
     * every JVM and CPU (tests rely on exact pixels); computing it once also keeps rendering free of
     * StrictMath's temporary arrays.
     */
    private static int[] sinePath(int period, int middle, int amplitude, boolean cosine) {
        int[] path = new int[period];
        for (int phase = 0; phase < period; phase++) {
            double angle = 2 * Math.PI * phase / period;
            double wave = cosine ? StrictMath.cos(angle) : StrictMath.sin(angle);
            path[phase] = even(middle + (int) Math.round(amplitude * wave));
        }
        return path;
    }

    int clockScale() {
        return clockScale;
    }

    /** Left edge of character {@code index} on either clock line. */
    int clockTextX(int index) {
        return clockX + 3 * clockScale + index * (ClockFont.GLYPH_WIDTH + 1) * clockScale;
    }

    /** Top edge of clock line 0 (frame number) or 1 (time). */
    int clockTextY(int line) {
        return clockY + 3 * clockScale + line * (ClockFont.GLYPH_HEIGHT + 3) * clockScale;
    }

    /**
     * For each row of a circle of radius {@code radius} (even) centred on a pixel corner, half the
     * number of pixels whose centre lies inside it; {@code step} 2 gives the same for chroma samples,
     * each the centre of a 2x2 luma block.
     */
    private static int[] circleHalfWidths(int radius, int step) {
        int rows = 2 * radius / step;
        int[] halves = new int[rows];
        long radiusSquared = (long) radius * radius;
        for (int k = 0; k < rows; k++) {
            // Offset of the sample's centre from the circle's centre, in luma pixels.
            double dy = -radius + (k + 0.5) * step;
            int half = 0;
            while (true) {
                double dx = (half + 0.5) * step;
                if (dx * dx + dy * dy > radiusSquared) {
                    break;
                }
                half++;
            }
            halves[k] = half;
        }
        return halves;
    }

    private int barLeft(int bar) {
        return even(bar * width / BAR_COUNT);
    }

    private NormalizedBox normalized(int x, int y, int boxWidth, int boxHeight) {
        return new NormalizedBox((double) x / width, (double) y / height, (double) boxWidth / width,
                (double) boxHeight / height);
    }

    private long lumaOffset(int x, int y) {
        return (long) y * width + x;
    }

    private long uOffset(int x, int y) {
        return lumaBytes + (long) y * chromaWidth + x;
    }

    private long vOffset(int x, int y) {
        return lumaBytes + chromaBytes + (long) y * chromaWidth + x;
    }

    private void fill(MemorySegment target, long offset, int length, int value) {
        MemorySegment.copy(runs, (long) value * width, target, offset, length);
    }

    private static int even(int value) {
        return value & ~1;
    }

    private static int roundUp(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    // --- reading the strip back ----------------------------------------------------------------

    /**
     * Averages the middle half (both ways) of each block, which compression blurs least, and calls
     * it 0 or 1 only when it is nearer than a third of the black-white distance to either end.
     */
    private static long decodeStrip(MemorySegment picture, int width, int height, int bytesPerPixel, int black,
            int white) {
        int blockWidth = width / STRIP_BITS;
        // Rows 1 to 3 lie inside the strip at any size, also after the picture was scaled down
        // (a 720p strip is 16 rows, 8 once scaled to 360p).
        int top = 1;
        int bottom = Math.min(4, height);
        int third = (white - black) / 3;
        long number = 0;
        for (int bit = 0; bit < STRIP_BITS; bit++) {
            int left = bit * blockWidth + blockWidth / 4;
            int right = bit * blockWidth + blockWidth - blockWidth / 4;
            long sum = 0;
            long samples = 0;
            for (int y = top; y < bottom; y++) {
                for (int x = left; x < right; x++) {
                    long pixel = ((long) y * width + x) * bytesPerPixel;
                    for (int channel = 0; channel < bytesPerPixel; channel++) {
                        sum += picture.get(ValueLayout.JAVA_BYTE, pixel + channel) & 0xFF;
                        samples++;
                    }
                }
            }
            double mean = (double) sum / samples;
            number <<= 1;
            if (mean >= white - third) {
                number |= 1;
            } else if (mean > black + third) {
                return -1;
            }
        }
        return number;
    }

    private static void requireSize(MemorySegment picture, long needed, int width, int height, String format) {
        if (width < MIN_WIDTH || height < MIN_HEIGHT) {
            throw new IllegalArgumentException("a " + width + "x" + height + " picture has no frame-number strip (needs "
                    + MIN_WIDTH + "x" + MIN_HEIGHT + " or more)");
        }
        if (picture.byteSize() < needed) {
            throw new IllegalArgumentException("a " + width + "x" + height + " " + format + " picture needs " + needed
                    + " bytes, the buffer has " + picture.byteSize());
        }
    }
}
