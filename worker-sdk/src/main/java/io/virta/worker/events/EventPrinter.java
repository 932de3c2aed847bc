package io.virta.worker.events;

import io.virta.protos.events.EventJson;
import io.virta.protos.events.v1.Event;

import java.io.PrintStream;

/**
 * Writes each event as one line of JSON (the proto's field names), for {@code virta worker --print}:
 * <pre>
 * {"type":"motion","camera":"lobby","capture_time_micros":1764000000123456,"source":"motion","boxes":[{"x":0.25,"y":0.4,"width":0.1,"height":0.2,"label":"motion","score":0.83}],"attributes":{"moving_fraction":"0.012"}}
 * </pre>
 */
public final class EventPrinter implements EventSink {
    private final PrintStream out;

    public EventPrinter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void report(Event event) {
        out.println(toJson(event));
    }

    @Override
    public void close() {
        out.flush();
    }

    /** One line of JSON for {@code e}: see {@link EventJson#toJson}. */
    public static String toJson(Event e) {
        return EventJson.toJson(e);
    }
}
