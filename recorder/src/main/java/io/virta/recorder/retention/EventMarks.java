package io.virta.recorder.retention;

import java.io.IOException;

/**
 * Where events that may extend retention go: the event hub's side of retention. {@link EventMarkLog}
 * keeps them durably in the store; the recorder wires the hub's events of each camera to it.
 *
 * <pre>{@code
 * EventMarks marks = retention.marks();
 * marks.mark(EventMark.at("lobby", "person", Instant.now()));
 * }</pre>
 */
@FunctionalInterface
public interface EventMarks {
    /**
     * Keeps {@code mark}; when this returns, it is on the disk (a power cut does not take it).
     *
     * @throws IOException naming the file when the mark could not be kept; retention then may delete
     *                     the event's video on its ordinary schedule
     */
    void mark(EventMark mark) throws IOException;
}
