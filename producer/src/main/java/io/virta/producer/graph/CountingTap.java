package io.virta.producer.graph;

import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Counts frames and bytes and estimates the frame rate, then passes every frame on unchanged (an
 * info/count/fps tap). Counters are written by the frame thread and may be read from any thread.
 */
public final class CountingTap<T> implements FrameSink<T> {
    private final ToIntFunction<T> sizeOf;
    private final ToLongFunction<T> captureMicros;
    private final FrameSink<T> next;
    private volatile long frames;
    private volatile long bytes;
    private volatile double fps;
    private long windowStartMicros = Long.MIN_VALUE;
    private long windowFrames;

    public CountingTap(ToIntFunction<T> sizeOf, ToLongFunction<T> captureMicros, FrameSink<T> next) {
        this.sizeOf = sizeOf;
        this.captureMicros = captureMicros;
        this.next = next;
    }

    public long frames() {
        return frames;
    }

    public long bytes() {
        return bytes;
    }

    /** Frames per second of capture time over the last full second. */
    public double fps() {
        return fps;
    }

    @Override
    public void accept(T frame) {
        frames++;
        bytes += sizeOf.applyAsInt(frame);
        long t = captureMicros.applyAsLong(frame);
        if (windowStartMicros == Long.MIN_VALUE || t < windowStartMicros) {
            windowStartMicros = t;
            windowFrames = 0;
        }
        windowFrames++;
        long span = t - windowStartMicros;
        if (span >= 1_000_000) {
            fps = (windowFrames - 1) * 1e6 / span;
            windowStartMicros = t;
            windowFrames = 1;
        }
        next.accept(frame);
    }
}
