package io.virta.rtsp.client;

/** How RTP reaches the client. */
public enum RtspTransport {
    /** UDP first; TCP-interleaved when no packet arrives over UDP in time (a NAT or firewall in the way). */
    AUTO,
    UDP,
    TCP
}
