/**
 * The RTSP client: one {@link io.virta.rtsp.client.RtspClientSession} per camera, all of them
 * sharing a few Netty event-loop threads. A session runs OPTIONS, DESCRIBE (with authentication),
 * SETUP and PLAY, keeps the session alive, and hands RTP and RTCP packets to its listener, from UDP
 * sockets or interleaved in the TCP connection.
 */
package io.virta.rtsp.client;
