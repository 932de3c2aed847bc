package io.virta.producer.source;

import io.netty.buffer.ByteBuf;
import io.virta.rtsp.sdp.MediaDescription;

/**
 * The per-session packet path of one camera: everything between the RTSP session's packets and
 * access units. {@link RtspCameraSource} calls it on its I/O thread; sessions come and go (each
 * reconnect is a new session), the receiver stays.
 */
public interface TrackReceiver {
    /** A new session is about to play {@code video}; forget the previous session's packet state. */
    void onSessionStart(MediaDescription video, boolean overTcp);

    void onRtp(ByteBuf packet, long arrivalNanos);

    void onRtcp(ByteBuf packet, long arrivalNanos);

    /**
     * The server said (RTP-Info) that the stream starts at {@code sequenceNumber}: packets that arrive
     * out of order at the start can be put back in order. Called after {@link #onSessionStart}, before
     * the first packet.
     */
    default void onStreamStart(int sequenceNumber) {
    }

    /** A UDP datagram that was not the camera's was dropped before it reached {@link #onRtp}. */
    default void onRejected() {
    }

    /** Called about once a second while playing: flush reorder timeouts, send receiver reports. */
    void onTick(long nowNanos, RtcpSender sender);

    /**
     * Valid RTP packets of the video track received, over all sessions: what tells that RTP flows
     * (packets of another payload type or malformed ones do not count).
     */
    long packetsReceived();

    /** RTP packets lost in transit (over UDP), over all sessions. */
    long packetsLost();

    /** Nanos of the last access unit this receiver emitted, for stall detection; 0 if none yet. */
    long lastUnitNanos();

    @FunctionalInterface
    interface RtcpSender {
        void send(ByteBuf packet);
    }
}
