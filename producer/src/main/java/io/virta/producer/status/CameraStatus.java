package io.virta.producer.status;

import io.virta.producer.config.CameraConfig;
import io.virta.rtsp.media.VideoCodec;
import io.virta.producer.rtp.out.RtpSender;
import io.virta.rtsp.client.RtspTransport;

/**
 * A snapshot of one camera for status reporting (the control API, the command line): its state,
 * configuration and statistics at the moment {@link Producer#status(String)} was called.
 *
 * @param lastError       why the stream last went offline; null while it never has
 * @param activeTransport UDP or TCP while online, null otherwise
 * @param codec           the codec of the last session; null before the first
 * @param restream        what the producer's RTSP server sends of this camera; {@link Restream#NONE}
 *                        while the server is off or the camera is not served
 * @param rtpOut          the RTP sender's counters; null without {@code rtpOut:}
 */
public record CameraStatus(String name, State state, String lastError, CameraConfig config,
        RtspTransport activeTransport, VideoCodec codec, Stats stats, Restream restream, RtpSender.Stats rtpOut) {

    public enum State {
        /** Started, not yet playing. */
        STARTING,
        /** Playing. */
        ONLINE,
        /** Was started, but the session failed or stalled; it keeps reconnecting. */
        OFFLINE,
        /** Stopped on request: no session and no channels, configuration kept. */
        STOPPED
    }

    /**
     * Counters since the camera was last started, and rates over the last few seconds.
     *
     * @param fpsIn          access units received per second
     * @param fpsOut         pictures decoded per second
     * @param bitrate        bits of video payload received per second
     * @param uptimeSeconds  since the stream last went online; 0 unless online
     * @param pictureWidth   of the last decoded picture; 0 before the first
     * @param packetsRejected UDP datagrams on the camera's RTP/RTCP ports that were not the camera's
     * @param unitsDamaged   units delivered flagged damaged (a loss touched them or what they refer to)
     */
    public record Stats(double fpsIn, double fpsOut, double bitrate, long unitsReceived, long bytesReceived,
            long packetsReceived, long packetsLost, long unitsDropped, long framesDecoded,
            double decodeMicrosPerFrame, long decoderOverruns, long decoderSkipped, long yuvPublished,
            long rgbPublished, long reconnects, long onlineCount, long offlineCount, double uptimeSeconds,
            int pictureWidth, int pictureHeight, long packetsRejected, long unitsDamaged) {

        /** A camera that is not running. */
        public static final Stats NONE = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * The camera re-served by the producer's RTSP server ({@code rtspServer:}). Counters start when
     * the camera starts, and again when it changes codec (its clients are disconnected then).
     *
     * @param clients       clients playing now
     * @param framesSent    frames handed to clients' sockets, summed over clients
     * @param framesDropped frames clients lost because they could not keep up, summed over clients
     */
    public record Restream(int clients, long framesSent, long framesDropped) {

        /** Not served: the RTSP server is off, the camera is stopped, or it has sent no frame yet. */
        public static final Restream NONE = new Restream(0, 0, 0);
    }
}
