package io.virta.producer.graph;

/** Where frames go; the frame is valid only during the call. */
@FunctionalInterface
public interface FrameSink<T> {
    void accept(T frame);
}
