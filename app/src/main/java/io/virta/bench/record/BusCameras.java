package io.virta.bench.record;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PixelFormat;
import io.virta.bus.WritableFrame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * N cameras on the bus, as the producer would publish them: one encoded channel each
 * ({@code NAME.h264}), the clip looped at 25 fps with capture times from the wall clock. One thread
 * publishes them all, spread over each frame interval; a bus write never blocks, so a slow recorder
 * cannot slow it.
 */
final class BusCameras implements AutoCloseable {
    private final RealClip clip;
    private final List<ChannelWriter> writers = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long framesPublished;
    private volatile long bytesPublished;

    BusCameras(String prefix, int count, int cells, RealClip clip) {
        this.clip = clip;
        long capacity = Math.max(64 << 10, Integer.highestOneBit(clip.largestUnit()) * 2L);
        for (int i = 0; i < count; i++) {
            String name = prefix + "-" + ProcessHandle.current().pid() + "-" + i;
            names.add(name);
            writers.add(ChannelWriter.create(ChannelSpec.of(name + ".h264", ChannelType.ENCODED)
                    .format(PixelFormat.H264).capacity(capacity).cells(cells)));
        }
        thread = Thread.ofPlatform().name("bench-publisher").start(this::publish);
    }

    private void publish() {
        long interval = 1_000_000_000L / RealClip.FPS;
        long next = System.nanoTime();
        int frame = 0;
        while (running) {
            byte[] unit = clip.units.get(frame % clip.units.size());
            boolean keyframe = clip.keyframes[frame % clip.units.size()];
            long micros = System.currentTimeMillis() * 1000;
            for (int i = 0; i < writers.size() && running; i++) {
                // Cameras are not in step: spread them over the frame interval.
                LockSupport.parkNanos(next + interval * i / writers.size() - System.nanoTime());
                WritableFrame cell = writers.get(i).claim();
                MemorySegment.copy(unit, 0, cell.payload(), ValueLayout.JAVA_BYTE, 0, unit.length);
                cell.payloadSize(unit.length).format(PixelFormat.H264).keyframe(keyframe).captureTimeMicros(micros);
                writers.get(i).commit();
                framesPublished++;
                bytesPublished += unit.length;
            }
            frame++;
            next += interval;
        }
    }

    List<String> names() {
        return names;
    }

    /** The bus sequence number each camera's channel has reached: the cameras publish in step. */
    long sequencePerCamera() {
        return framesPublished / Math.max(1, writers.size());
    }

    long framesPublished() {
        return framesPublished;
    }

    long bytesPublished() {
        return bytesPublished;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
        for (ChannelWriter writer : writers) {
            writer.close();
        }
    }
}
