/**
 * A small RTSP server that re-serves access units without re-encoding: the built-in demo camera
 * uses it, and so does re-streaming. Each access unit is packetized once and the same packet bytes
 * go to every client; a client that cannot keep up loses its own frames and restarts at the next
 * keyframe, never slowing the others: over TCP and over UDP alike, every client writes to a socket
 * of its own.
 */
package io.virta.rtsp.server;
