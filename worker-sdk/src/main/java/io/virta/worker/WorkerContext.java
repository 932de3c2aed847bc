package io.virta.worker;

import io.virta.bus.ChannelType;
import io.virta.protos.events.v1.Event;
import io.virta.worker.events.EventSink;
import io.virta.worker.events.WorkerEvent;

import java.util.List;

/** What a {@link Worker} knows about its run, and where it reports events. Used on the runner's thread. */
public final class WorkerContext {
    private final String name;
    private final FrameStream stream;
    private final WorkerArguments arguments;
    private final List<EventSink> sinks;
    private volatile long events;

    WorkerContext(String name, FrameStream stream, WorkerArguments arguments, List<EventSink> sinks) {
        this.name = name;
        this.stream = stream;
        this.arguments = arguments;
        this.sinks = sinks;
    }

    /** The worker's name: the {@code source} of its events. */
    public String name() {
        return name;
    }

    /** The camera whose frames it analyzes. */
    public String camera() {
        return stream.camera();
    }

    /** The bus channel it reads now. */
    public String channel() {
        return stream.channel();
    }

    public ChannelType channelType() {
        return stream.channelType();
    }

    /** The channel's nominal picture size. */
    public int width() {
        return stream.width();
    }

    public int height() {
        return stream.height();
    }

    /** The worker's own options (see {@link WorkerArguments}). */
    public WorkerArguments arguments() {
        return arguments;
    }

    /** The stream's counters so far. */
    public StreamCounters counters() {
        return stream.counters();
    }

    /** An event of {@code type} for this camera, with this worker as its source; add the capture time. */
    public WorkerEvent.Builder event(String type) {
        return WorkerEvent.builder(type).camera(camera()).source(name);
    }

    /** Hands the event to the hub reporter and/or printer; never blocks on the network. */
    public void report(Event event) {
        for (EventSink sink : sinks) {
            sink.report(event);
        }
        events++;
    }

    /** Events reported so far. */
    public long eventsReported() {
        return events;
    }
}
