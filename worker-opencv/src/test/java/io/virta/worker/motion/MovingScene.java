package io.virta.worker.motion;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelWriter;
import io.virta.bus.WritableFrame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A test camera on a real bus channel: a dark, static background with a few fixed stripes, a bright
 * rectangle moving on a known path, and a small "clock" in the top-right corner whose digits change
 * every frame. Frame {@code i} has capture time {@link #captureTime(int)}, so a test can tell where the
 * rectangle was in any frame a detector reports.
 */
final class MovingScene implements AutoCloseable {
    static final int WIDTH = 640;
    static final int HEIGHT = 360;
    static final int RECT_WIDTH = 60;
    static final int RECT_HEIGHT = 40;
    /** The clock's pixels: x 570..629, y 8..27. */
    static final int[] CLOCK = {570, 8, 630, 28};
    static final long BASE_MICROS = 1_764_000_000_000_000L;
    static final long FRAME_MICROS = 40_000;

    private final ChannelWriter writer;
    private final byte[] row = new byte[WIDTH * 3];

    MovingScene(String channel) {
        writer = ChannelWriter.create(ChannelSpec.rgb24(channel, WIDTH, HEIGHT).cells(8));
    }

    ChannelWriter writer() {
        return writer;
    }

    static long captureTime(int frame) {
        return BASE_MICROS + frame * FRAME_MICROS;
    }

    static int frameAt(long captureMicros) {
        return (int) ((captureMicros - BASE_MICROS) / FRAME_MICROS);
    }

    /** The rectangle's pixels in frame {@code i}: x0, y0, x1, y1 (exclusive). */
    static int[] rect(int i) {
        int x = 40 + 6 * i;
        int y = 120 + i;
        return new int[] {x, y, x + RECT_WIDTH, y + RECT_HEIGHT};
    }

    /** Writes frame {@code i}. */
    void write(int i) {
        WritableFrame frame = writer.claim();
        MemorySegment p = frame.payload();
        for (int x = 0; x < WIDTH; x++) {
            byte level = (byte) ((x / 80) % 2 == 0 ? 20 : 35);   // static stripes: nothing moves there
            row[x * 3] = level;
            row[x * 3 + 1] = level;
            row[x * 3 + 2] = level;
        }
        for (int y = 0; y < HEIGHT; y++) {
            MemorySegment.copy(row, 0, p, ValueLayout.JAVA_BYTE, (long) y * WIDTH * 3, row.length);
        }
        int[] r = rect(i);
        fill(p, r[0], r[1], r[2], r[3], (byte) 230);
        // The clock: six "digits", each bright or dark by the frame number's bits.
        for (int d = 0; d < 6; d++) {
            boolean on = ((i >> d) & 1) == 1;
            fill(p, CLOCK[0] + d * 10, CLOCK[1], CLOCK[0] + d * 10 + 8, CLOCK[3], on ? (byte) 250 : (byte) 25);
        }
        frame.captureTimeMicros(captureTime(i));
        writer.commit();
    }

    private static void fill(MemorySegment p, int x0, int y0, int x1, int y1, byte value) {
        for (int y = y0; y < y1; y++) {
            p.asSlice(((long) y * WIDTH + x0) * 3, (long) (x1 - x0) * 3).fill(value);
        }
    }

    @Override
    public void close() {
        writer.close();
    }
}
