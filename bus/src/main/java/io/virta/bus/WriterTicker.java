package io.virta.bus;

import io.virta.bus.layout.ChannelHeaderDescriptor;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One daemon thread per JVM that keeps every open writer's heartbeat fresh, also while it has nothing
 * to commit, and every second frees the slots of dead readers. It ticks every
 * {@value ChannelHeaderDescriptor#HEARTBEAT_TICK_MILLIS} ms, half the promised interval, because a
 * sleep-then-work loop of the full interval runs a little slower than it (100.1 to 100.3 ms was
 * seen). {@link BusShutdown}'s hook closes writers still open, after the application's own
 * shutdown, so SIGTERM gives readers an orderly end of stream.
 */
final class WriterTicker {
    private static final long REAP_EVERY_TICKS = 1000 / ChannelHeaderDescriptor.HEARTBEAT_TICK_MILLIS;
    private static final CopyOnWriteArrayList<ChannelWriter> WRITERS = new CopyOnWriteArrayList<>();
    private static Thread thread;

    private WriterTicker() {
    }

    static synchronized void register(ChannelWriter writer) {
        WRITERS.add(writer);
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("virta-bus-heartbeat").start(WriterTicker::run);
            BusShutdown.install();
        }
    }

    static void unregister(ChannelWriter writer) {
        WRITERS.remove(writer);
    }

    private static void run() {
        long tick = 0;
        while (true) {
            try {
                Thread.sleep(ChannelHeaderDescriptor.HEARTBEAT_TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            tick++;
            for (ChannelWriter writer : WRITERS) {
                writer.heartbeat();
                if (tick % REAP_EVERY_TICKS == 0) {
                    writer.reapDeadReaders();
                }
            }
        }
    }

    static void closeAll() {
        for (ChannelWriter writer : WRITERS) {
            writer.close();
        }
    }
}
