package io.virta.rtsp.client;

import io.netty.buffer.ByteBuf;
import io.virta.rtsp.RtpInfo;
import io.virta.rtsp.sdp.MediaDescription;
import io.virta.rtsp.sdp.SessionDescription;

/**
 * What a session reports, always on its event-loop thread. Buffers are valid only during the call.
 */
public interface RtspSessionListener {
    /** DESCRIBE succeeded; {@code video} is the track the session will play. */
    default void onDescribed(SessionDescription description, MediaDescription video) {
    }

    /**
     * The PLAY reply said where the stream starts ({@code RTP-Info}); called just before
     * {@link #onPlaying}, and not at all when the reply has no usable entry.
     */
    default void onRtpInfo(RtpInfo info) {
    }

    /** PLAY succeeded; packets follow. */
    default void onPlaying(boolean overTcp) {
    }

    void onRtp(ByteBuf packet, long arrivalNanos);

    default void onRtcp(ByteBuf packet, long arrivalNanos) {
    }

    /**
     * A UDP datagram that is not the camera's (another address or port, or another SSRC) was
     * dropped; see {@link RtpSourceFilter}.
     */
    default void onRejected(RtpSourceFilter.Verdict why) {
    }

    /** The session ended for good; {@code error} is null after {@link RtspClientSession#close()}. */
    void onClosed(RtspSessionException error);
}
