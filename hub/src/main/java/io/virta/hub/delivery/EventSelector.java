package io.virta.hub.delivery;

import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventFilter;

import java.util.Set;
import java.util.function.Predicate;

/**
 * Which events a subscription or query wants: cameras and types (an empty set means any) and a
 * capture-time range [{@code captureFrom}, {@code captureTo}).
 */
public record EventSelector(Set<String> cameras, Set<String> types, long captureFrom, long captureTo)
        implements Predicate<Event> {
    /** A filter may name at most this many cameras, and as many types. */
    public static final int MAX_FILTER_ENTRIES = 1024;
    /** The longest camera name or type a filter may carry. */
    public static final int MAX_FILTER_ENTRY_LENGTH = 256;

    public EventSelector {
        cameras = Set.copyOf(cameras);
        types = Set.copyOf(types);
    }

    /**
     * From a request's filter and capture range.
     *
     * @throws IllegalArgumentException naming the filter field that is too large
     */
    public static EventSelector of(EventFilter filter, long captureFrom, long captureTo) {
        return new EventSelector(entries("filter.cameras", filter.getCamerasList()),
                entries("filter.types", filter.getTypesList()), captureFrom, captureTo);
    }

    private static Set<String> entries(String field, java.util.List<String> values) {
        if (values.size() > MAX_FILTER_ENTRIES) {
            throw new IllegalArgumentException(field + ": " + values.size() + " entries; at most " + MAX_FILTER_ENTRIES);
        }
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i).length() > MAX_FILTER_ENTRY_LENGTH) {
                throw new IllegalArgumentException(field + "[" + i + "]: " + values.get(i).length()
                        + " characters; at most " + MAX_FILTER_ENTRY_LENGTH);
            }
        }
        return Set.copyOf(values);
    }

    @Override
    public boolean test(Event event) {
        long capture = event.getCaptureTimeMicros();
        return capture >= captureFrom && capture < captureTo
                && (cameras.isEmpty() || cameras.contains(event.getCamera()))
                && (types.isEmpty() || types.contains(event.getType()));
    }
}
