/**
 * RTSP 1.0 messages (RFC 2326) as they travel on a camera's control connection: requests a client
 * sends, responses it parses, and the {@code $}-framed RTP/RTCP packets interleaved with them over
 * TCP. No networking here; {@code io.virta.rtsp.client} drives these over Netty.
 */
package io.virta.rtsp;
