package io.virta.producer.output;

import io.virta.producer.config.CameraConfig;
import io.virta.rtsp.media.VideoCodec;

import java.util.Objects;

/**
 * What an {@link OutputFactory} knows of the camera it makes an output for: its configuration, its
 * stream number and, for {@link OutputFactory.Lifetime#CODEC} outputs, the codec its session told.
 * Immutable; made by the camera's pipeline, once per opening.
 */
public final class OutputContext {
    private final CameraConfig config;
    private final int stream;
    /** Null for outputs opened before any session told the codec (see {@link #codec()}). */
    private final VideoCodec codec;

    private OutputContext(CameraConfig config, int stream, VideoCodec codec) {
        this.config = Objects.requireNonNull(config, "config");
        this.stream = stream;
        this.codec = codec;
    }

    /** For a camera's {@link OutputFactory.Lifetime#CAMERA} and {@link OutputFactory.Lifetime#RUN} outputs. */
    public static OutputContext beforeCodec(CameraConfig config, int stream) {
        return new OutputContext(config, stream, null);
    }

    /** For a camera's {@link OutputFactory.Lifetime#CODEC} outputs, once a session told the codec. */
    public OutputContext withCodec(VideoCodec codec) {
        return new OutputContext(config, stream, Objects.requireNonNull(codec, "codec"));
    }

    public CameraConfig config() {
        return config;
    }

    /** The camera's stream number: the stream id its channels' frames carry. */
    public int stream() {
        return stream;
    }

    /**
     * The codec of the session that opened this output.
     *
     * @throws IllegalStateException for outputs that open before the codec is known ({@code CAMERA},
     *                               {@code RUN}): they read it from each unit's {@code codec()}
     */
    public VideoCodec codec() {
        if (codec == null) {
            throw new IllegalStateException("camera " + config.name() + ": the codec is not known when outputs of the "
                    + "camera or of a run open; read it from each unit, or declare Lifetime.CODEC");
        }
        return codec;
    }
}
