package io.virta.rtsp.rtp;

import io.netty.buffer.ByteBuf;

/** Receives packets a packetizer made; the sink owns the buffer (release it when done). */
@FunctionalInterface
public interface RtpPacketSink {
    void onPacket(ByteBuf packet, boolean lastOfUnit);
}
