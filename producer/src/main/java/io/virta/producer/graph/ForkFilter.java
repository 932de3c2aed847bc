package io.virta.producer.graph;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Passes each frame to every connected sink, in connection order. Sinks connect and disconnect at
 * runtime from any thread; the frame path reads a snapshot array, so it neither locks nor allocates.
 */
public final class ForkFilter<T> implements FrameSink<T> {
    private final CopyOnWriteArrayList<FrameSink<T>> sinks = new CopyOnWriteArrayList<>();

    public ForkFilter<T> connect(FrameSink<T> sink) {
        sinks.addIfAbsent(sink);
        return this;
    }

    public boolean disconnect(FrameSink<T> sink) {
        return sinks.remove(sink);
    }

    public int size() {
        return sinks.size();
    }

    @Override
    public void accept(T frame) {
        for (FrameSink<T> sink : sinks) {
            sink.accept(frame);
        }
    }
}
