package io.virta.worker;

import io.virta.bus.ChannelType;
import io.virta.worker.attach.AttachException;
import io.virta.grpc.GrpcTarget;

import java.time.Duration;

/**
 * Where a worker's frames come from and how fast it takes them; {@link #open()} attaches.
 *
 * <pre>{@code
 * FrameSource.camera("lobby")                       // the camera's RGB24 channel, found through the producer
 * FrameSource.camera("lobby").type(ChannelType.YUV420P).control("10.0.0.5:50051")
 * FrameSource.channel("lobby.rgb")                  // a bus channel by name, no producer needed
 * FrameSource.camera("lobby").fps(4)                // at most 4 frames a second, always the newest
 * }</pre>
 */
public final class FrameSource {
    /** Where the producer's control API listens unless told otherwise. */
    public static final String DEFAULT_CONTROL = "127.0.0.1:50051";

    private final String camera;
    private final String channel;
    private GrpcTarget control = GrpcTarget.parse(DEFAULT_CONTROL, "control");
    private ChannelType type = ChannelType.RGB24;
    private double fps;
    private Duration attachTimeout = Duration.ofSeconds(30);
    private Duration reresolveAfter = Duration.ofSeconds(5);

    private FrameSource(String camera, String channel) {
        this.camera = camera;
        this.channel = channel;
    }

    /** The named camera's channel, looked up through the producer's control API (GetChannels). */
    public static FrameSource camera(String camera) {
        if (camera == null || camera.isBlank()) {
            throw new IllegalArgumentException("camera: a camera name is required");
        }
        return new FrameSource(camera, null);
    }

    /**
     * A bus channel by its name, without asking the producer. The camera named in events is the channel
     * name up to its last '.' ("lobby.rgb" shows camera "lobby"); {@link #channel(String, String)} names it.
     */
    public static FrameSource channel(String channel) {
        if (channel == null || channel.isBlank()) {
            throw new IllegalArgumentException("channel: a channel name is required");
        }
        int dot = channel.lastIndexOf('.');
        return new FrameSource(dot > 0 ? channel.substring(0, dot) : channel, channel);
    }

    /** A bus channel by name, with the camera it shows (for events) named explicitly. */
    public static FrameSource channel(String channel, String camera) {
        FrameSource source = channel(channel);
        return camera == null || camera.isBlank() ? source : new FrameSource(camera, channel).copyOptions(source);
    }

    private FrameSource copyOptions(FrameSource other) {
        this.control = other.control;
        this.type = other.type;
        this.fps = other.fps;
        this.attachTimeout = other.attachTimeout;
        this.reresolveAfter = other.reresolveAfter;
        return this;
    }

    /** The producer's control API, {@code HOST:PORT} (default {@value #DEFAULT_CONTROL}). */
    public FrameSource control(String hostPort) {
        this.control = GrpcTarget.parse(hostPort, "control");
        return this;
    }

    /**
     * Which of the camera's channels: RGB24 (the default, scaled pictures), YUV420P (full-size decoded
     * pictures) or ENCODED (the camera's H264/H265 access units). For a channel named directly, the
     * reader refuses a channel of another type.
     */
    public FrameSource type(ChannelType type) {
        if (type != ChannelType.RGB24 && type != ChannelType.YUV420P && type != ChannelType.ENCODED
                && channel == null) {
            throw new IllegalArgumentException("type: a camera publishes RGB24, YUV420P and ENCODED channels, not "
                    + type);
        }
        this.type = type;
        return this;
    }

    /**
     * Analyze at most {@code fps} frames a second, each time the newest: the frames in between are skipped
     * without being read, so a slow analyzer never works through a backlog. 0 (the default) takes every
     * frame.
     */
    public FrameSource fps(double fps) {
        if (!(fps >= 0) || Double.isInfinite(fps)) {
            throw new IllegalArgumentException("fps: " + fps + " is not a rate; use a positive number, or 0 for"
                    + " every frame");
        }
        this.fps = fps;
        return this;
    }

    /**
     * How long {@link #open()} waits for the channel: for a named channel to appear, or for a camera
     * that is known but has no channels yet (default 30 s).
     */
    public FrameSource attachTimeout(Duration timeout) {
        this.attachTimeout = timeout;
        return this;
    }

    /**
     * After the channel's writer went away, how long to wait for it under the same name before asking
     * the producer again which channel the camera has now (default 5 s; cameras only).
     */
    public FrameSource reresolveAfter(Duration after) {
        this.reresolveAfter = after;
        return this;
    }

    /** The camera, for events: as given, or derived from the channel's name. */
    public String cameraName() {
        return camera;
    }

    /** The channel named directly, or null when it is looked up by camera. */
    public String channelName() {
        return channel;
    }

    public GrpcTarget controlTarget() {
        return control;
    }

    public ChannelType channelType() {
        return type;
    }

    public double maxFps() {
        return fps;
    }

    Duration attachTimeout() {
        return attachTimeout;
    }

    Duration reresolveAfter() {
        return reresolveAfter;
    }

    boolean byCamera() {
        return channel == null;
    }

    /**
     * Attaches: looks the channel up if need be, then opens a bus reader on it.
     *
     * @throws AttachException saying what is missing and what to do
     */
    public FrameStream open() {
        return FrameStream.open(this);
    }

    @Override
    public String toString() {
        return channel != null ? "channel '" + channel + "'" : "camera '" + camera + "' (" + type + " channel via "
                + control + ")";
    }
}
