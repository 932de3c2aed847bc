package io.virta.worker;

import io.virta.protos.events.v1.Event;
import io.virta.worker.events.EventSink;

import java.util.ArrayList;
import java.util.List;

/** Keeps every event in memory, for tests that inspect what a worker reported. */
public final class CollectingSink implements EventSink {
    private final List<Event> events = new ArrayList<>();
    private volatile boolean closed;

    @Override
    public synchronized void report(Event event) {
        events.add(event);
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    @Override
    public void close() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }
}
