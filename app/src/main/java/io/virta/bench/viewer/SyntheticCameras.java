package io.virta.bench.viewer;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelWriter;
import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.bus.Clock;
import io.virta.bus.WritableFrame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Part 2's cameras: {@code count} YUV420P bus channels written at a steady frame rate by one thread of
 * the benchmark process, their frames spread evenly over the frame interval as unsynchronised cameras'
 * are. Every cell is filled with a picture once; after that a frame is a claim, its metadata and a
 * commit, so the writers cost next to nothing and the viewer's work is all that is measured.
 */
final class SyntheticCameras implements AutoCloseable {
    private final List<ChannelWriter> writers = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final int width;
    private final int height;
    private final Thread thread;
    private volatile boolean running = true;

    SyntheticCameras(String prefix, int count, int width, int height, double fps) {
        this.width = width;
        this.height = height;
        try {
            for (int i = 0; i < count; i++) {
                String name = prefix + i;
                ChannelWriter writer = ChannelWriter.create(ChannelSpec.yuv420p(name, width, height));
                writers.add(writer);
                names.add(name);
                for (int cell = 0; cell < writer.cells(); cell++) {
                    paint(writer.claim(), i * 31 + cell);
                    writer.commit();
                }
            }
        } catch (RuntimeException e) {
            writers.forEach(ChannelWriter::close);
            throw e;
        }
        long interval = (long) (1e9 / fps);
        thread = Thread.ofPlatform().daemon().name("bench-cameras").start(() -> write(interval));
    }

    private void write(long intervalNanos) {
        int n = writers.size();
        long start = System.nanoTime();
        long frame = 0;
        while (running) {
            for (int i = 0; i < n && running; i++) {
                long due = start + frame * intervalNanos + i * intervalNanos / n;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                describe(writers.get(i).claim());
                writers.get(i).commit();
            }
            frame++;
            if (System.nanoTime() - (start + frame * intervalNanos) > intervalNanos) {
                // More than a frame behind (the machine was busy): go on from now rather than burst.
                start = System.nanoTime() - frame * intervalNanos;
            }
        }
    }

    /** A grey ramp with a shade per channel: a real picture in every cell, so the pages are real memory. */
    private void paint(WritableFrame frame, int shade) {
        MemorySegment payload = frame.payload();
        long luma = (long) width * height;
        for (long b = 0; b < luma; b += 8) {
            payload.set(ValueLayout.JAVA_LONG_UNALIGNED, b, 0x0101010101010101L * ((b / width + shade) & 0xFF));
        }
        long chromaBytes = 2L * ((width + 1) / 2) * ((height + 1) / 2);
        payload.asSlice(luma, chromaBytes).fill((byte) 128);
        describe(frame);
    }

    private void describe(WritableFrame frame) {
        int cw = (width + 1) / 2;
        int ch = (height + 1) / 2;
        long now = Clock.epochMicros();
        frame.payloadSize((long) width * height + 2L * cw * ch).size(width, height).stride(0, width).stride(1, cw)
                .stride(2, cw).planeOffset(1, width * height).planeOffset(2, width * height + cw * ch)
                .captureTimeMicros(now).arrivalTimeMicros(now).keyframe(true)
                .color(ColorMatrix.BT709, ColorRange.LIMITED);
    }

    /** The channels' names, in order. */
    List<String> names() {
        return names;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2000);
        writers.forEach(ChannelWriter::close);
    }
}
