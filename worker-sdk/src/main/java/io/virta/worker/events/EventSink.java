package io.virta.worker.events;


import io.virta.protos.events.v1.Event;

/** Where a worker's events go: the hub ({@link EventReporter}), stdout ({@link EventPrinter}), or both. */
public interface EventSink extends AutoCloseable {
    /** Hands the event over without blocking the caller's frame loop. */
    void report(Event event);

    /** Delivers what is pending, waiting at most as long as the sink's own close timeout. */
    @Override
    default void close() {
    }
}
