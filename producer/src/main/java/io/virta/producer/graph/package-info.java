/**
 * A small frame graph in the spirit of libValkka's filter chains: sources push frames through
 * filters to sinks, each filter doing one thing (fork, gate, down-sample by time, pass one slot,
 * count). Filters run on the thread that pushes; between threads Virta puts a bus channel, which
 * is a bounded ring that drops the oldest frame and counts it (see docs/producer.md).
 *
 * <p>A frame is valid only during {@link io.virta.producer.graph.FrameSink#accept}: filters pass
 * the same object on and never keep it, so nothing is allocated per frame.
 */
package io.virta.producer.graph;
