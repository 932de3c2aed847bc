/**
 * Handing one stream's data from its ingest thread to network clients served by Netty event loops,
 * once per loop rather than once per client, without allocating per unit and without an unbounded
 * queue: {@link io.virta.rtsp.fanout.LoopFanout} groups the clients by loop, and each loop gets a
 * bounded {@link io.virta.rtsp.fanout.SlotRing} of pre-allocated delivery slots.
 */
package io.virta.rtsp.fanout;
