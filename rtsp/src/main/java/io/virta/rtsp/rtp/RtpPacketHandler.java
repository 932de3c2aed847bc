package io.virta.rtsp.rtp;

/**
 * Receives one stream's RTP packets in sequence order, with losses announced. A {@link Reorderer}
 * feeds one from UDP; over TCP-interleaved transport, where packets cannot be reordered or lost,
 * the receive loop calls it directly.
 */
public interface RtpPacketHandler {
    /** The next packet. It is valid only during the call: copy what must outlive it. */
    void onPacket(RtpPacket packet);

    /**
     * {@code packetsLost} (at least 1) packets before the next {@link #onPacket} will never come.
     * A handler must also cope with a discontinuity that is not announced (a stream restart, or
     * a caller without a reorderer): compare sequence numbers.
     */
    void onLoss(int packetsLost);
}
