/**
 * What a camera feeds: the RTSP re-serve, the RTP sender, the browser view and the bus channels,
 * each a {@link io.virta.producer.output.CameraOutput} made by an
 * {@link io.virta.producer.output.OutputFactory}. The producer is given one list of factories; a
 * camera's pipeline opens, feeds, reports and closes what they make, without naming any of them.
 */
package io.virta.producer.output;
