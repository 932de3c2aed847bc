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
 * @param recording       recording into a store ({@code record:}); {@link Recording#OFF} when the camera is not recorded
 */
public record CameraStatus(String name, State state, String lastError, CameraConfig config,
        RtspTransport activeTransport, VideoCodec codec, Stats stats, Restream restream, RtpSender.Stats rtpOut,
        Recording recording) {

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

    /** Where a camera's recording stands (docs/recording.md, "Status"). */
    public enum RecordingState {
        /** The camera is not recorded ({@code record.enabled} is false). */
        OFF,
        /** Recorded, but the camera is stopped: its last segment is sealed. */
        STOPPED,
        /** The camera runs, but no session has told the codec yet, so the recorder has no channel to read. */
        STARTING,
        /** The encoded channel is not there or has no writer: the recorder waits for one. */
        WAITING_FOR_WRITER,
        /**
         * Reading the encoded channel and writing the store; also while the camera is offline and
         * reconnecting, when nothing comes to write (the channel stays, waiting for the next session).
         */
        RECORDING,
        /** The store refused a write (disk full, gone, failing): paused, retrying by itself. */
        PAUSED
    }

    /**
     * A camera's recording. Counters start at zero each time the camera starts (as {@link Stats} do)
     * and when its codec changes.
     *
     * @param store          the store directory it records into; null when {@link RecordingState#OFF}
     * @param framesWritten  frames appended to the store
     * @param bytesWritten   their payload bytes
     * @param lag            frames the recorder is behind the camera's encoded channel
     * @param framesLost     frames the ring overwrote before the recorder reached them (a disk stall
     *                       longer than {@code record.bufferSeconds})
     * @param framesSkipped  frames not written after a loss, a start or a pause, up to the next keyframe
     * @param lastSyncMicros wall-clock µs of the last force to the disk; 0 before the first
     * @param pauses         times the store refused a write
     * @param problem        why the recording last paused (the store's error, naming it), while no frame
     *                       was written since; empty while it records well
     * @param usage          the store's disk usage, sampled in the background
     */
    public record Recording(RecordingState state, java.nio.file.Path store, long framesWritten, long bytesWritten,
            long lag, long framesLost, long framesSkipped, long lastSyncMicros, long pauses, String problem,
            StoreUsage usage) {
        public static final Recording OFF = idle(RecordingState.OFF, null, StoreUsage.NOT_SAMPLED);

        /** A recording without a recorder now: off, stopped, or starting. */
        public static Recording idle(RecordingState state, java.nio.file.Path store, StoreUsage usage) {
            return new Recording(state, store, 0, 0, 0, 0, 0, 0, 0, "", usage);
        }

        /** Whether the camera is recorded at all. */
        public boolean enabled() {
            return state != RecordingState.OFF;
        }
    }

    /**
     * A store's disk usage, sampled by the producer in the background (free space every few seconds,
     * the bytes of the store's files less often: the walk is proportional to its files).
     *
     * @param storeBytes      bytes of every file in the store directory (segments are preallocated, so
     *                        this counts their full size)
     * @param cameraBytes     of those, the bytes of this camera's directory
     * @param freeBytes       bytes free for the producer on the store's file system
     * @param sampledAtMicros wall-clock µs of the sample; 0: not sampled yet
     */
    public record StoreUsage(long storeBytes, long cameraBytes, long freeBytes, long sampledAtMicros) {
        public static final StoreUsage NOT_SAMPLED = new StoreUsage(0, 0, 0, 0);
    }
}
