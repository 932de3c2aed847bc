package io.virta.producer.output;

import java.util.Optional;

/**
 * Makes one kind of {@link CameraOutput} for each camera that wants it. The producer is given one
 * list of factories ({@code Producer}'s constructor; its standard outputs come first) and asks each
 * of them, for each camera, at the start of the {@link Lifetime} the factory declares. The list's
 * order is the order in which a camera's outputs are opened and fed; they close in the reverse.
 *
 * <p>{@link #open} runs on the thread that starts the camera ({@link Lifetime#CAMERA},
 * {@link Lifetime#RUN}: the control thread) or on its ingest thread when a session tells the codec
 * ({@link Lifetime#CODEC}). It may allocate and create channels or sockets, but must not wait on the
 * network. An exception refuses to start the camera ({@code CAMERA}, {@code RUN}: the caller sees
 * it), or fails that session ({@code CODEC}); what the other factories had opened is closed again.
 *
 * <pre>{@code
 * OutputFactory mp4 = camera -> camera.config().fmp4().enabled()
 *         ? Optional.of(ChannelOutput.fmp4(camera)) : Optional.empty();
 * }</pre>
 */
@FunctionalInterface
public interface OutputFactory {

    /**
     * How long the outputs of a factory live. When a camera stops, its run's outputs close first
     * (viewers are told at once), then its source and decoder stop, then its codec's outputs close;
     * outputs of the camera close when it is removed or the producer closes.
     */
    enum Lifetime {
        /**
         * From the camera's addition to its removal, across stops, starts and codec changes (the RTP
         * sender: receivers see one stream). Its outputs learn each new start from
         * {@link CameraOutput#cameraRestarted()}, and report even while the camera is stopped.
         */
        CAMERA,
        /**
         * From each start of the camera to the matching stop, across sessions and codec changes:
         * for outputs that viewers reach before the first session (the RTSP and browser mounts).
         * The codec is not known when they open; each unit carries it.
         */
        RUN,
        /**
         * From a session that tells the codec to the stop, or to the next session that tells another
         * codec (the bus channels, whose names and formats depend on it).
         */
        CODEC
    }

    /** This camera's output of this kind, or empty when its configuration asks for none. */
    Optional<CameraOutput> open(OutputContext camera);

    /** When {@link #open} is called and how long what it makes lives; {@link Lifetime#CODEC} unless overridden. */
    default Lifetime lifetime() {
        return Lifetime.CODEC;
    }

    /** A factory of another lifetime than {@link Lifetime#CODEC}. */
    static OutputFactory of(Lifetime lifetime, OutputFactory open) {
        return new OutputFactory() {
            @Override
            public Optional<CameraOutput> open(OutputContext camera) {
                return open.open(camera);
            }

            @Override
            public Lifetime lifetime() {
                return lifetime;
            }
        };
    }
}
