package io.virta.producer.output;

import io.virta.producer.decode.DecodedFrame;
import io.virta.rtsp.media.AccessUnit;

/**
 * One thing a camera feeds: a bus channel, the RTSP re-serve, the RTP sender, the browser view, a
 * recorder. Its {@link OutputFactory} makes it from the camera's configuration (by default when a
 * session tells the codec, see {@link OutputFactory.Lifetime}); it then receives either the camera's
 * access units or its decoded pictures ({@link #feed()}), reports its counters into the camera's
 * status, and is closed once (when, and in what order: {@link OutputFactory.Lifetime}).
 *
 * <p><b>Threads.</b> {@link #onAccessUnit} runs on the camera's ingest thread (its Netty event loop,
 * or FFmpeg's reading thread) and {@link #onPicture} on its decoder thread, one call at a time. The
 * unit or picture is a view valid only during the call: publish or copy what you keep.
 * {@link #cameraRestarted} and {@link #close} come from the thread that starts and stops the camera,
 * one at a time. {@link #report} comes from any thread that reads the status (the control API, the
 * web view), at any moment, even while the output closes: read counters that are safe to read
 * without a lock, and take none.
 *
 * <p><b>Hot path.</b> {@link #onAccessUnit} and {@link #onPicture} allocate nothing and never block:
 * every output shares the thread with the camera's other outputs. An output whose consumer can be
 * slow (a browser, a network, a disk) puts a bounded hand-off of its own in between (a bus ring, a
 * per-loop fan-out ring, a non-blocking socket) and drops and counts there, so that it stalls no one.
 *
 * <p><b>Outputs that read the bus.</b> An output that takes nothing from the ingest thread declares
 * {@link Feed#NONE}: it reads a channel of the camera itself, as any bus reader does, on a thread of
 * its own, and the camera's outputs never wait for it. The recorder is one
 * ({@code io.virta.producer.recording}): a {@link OutputFactory.Lifetime#CODEC} output listed after
 * the encoded channel, so it opens once the channel exists and closes before it.
 *
 * <p><b>Adding one.</b> An output is one factory in the list the producer is given; it names no
 * other output and no other class changes:
 * <pre>{@code
 * OutputFactory keyframes = camera -> Optional.of(new KeyframeCounter());
 * try (Producer producer = new Producer(config, events, List.of(keyframes)).start()) { ... }
 *
 * final class KeyframeCounter implements CameraOutput {
 *     private volatile long keyframes;
 *     public Feed feed() { return Feed.ACCESS_UNITS; }
 *     public void onAccessUnit(AccessUnit unit) { if (unit.isKeyframe()) keyframes++; }  // ingest thread only
 *     public void report(OutputReport report) { ... }                                    // its counters
 *     public void close() { }
 * }
 * }</pre>
 */
public interface CameraOutput extends AutoCloseable {

    /** What an output consumes. */
    enum Feed {
        /** Every access unit as received, before decoding: {@link #onAccessUnit}. */
        ACCESS_UNITS,
        /** Every decoded picture: {@link #onPicture}. A camera decodes only while some output asks for pictures. */
        PICTURES,
        /**
         * Nothing: the output reads the bus itself (the recorder reads the camera's encoded channel) and
         * is only opened, reported and closed with the camera.
         */
        NONE
    }

    Feed feed();

    /** An access unit, when {@link #feed()} is {@link Feed#ACCESS_UNITS}. */
    default void onAccessUnit(AccessUnit unit) {
    }

    /** A decoded picture, when {@link #feed()} is {@link Feed#PICTURES}. */
    default void onPicture(DecodedFrame picture) {
    }

    /**
     * The camera starts again after a stop. Only outputs that outlive a run ({@link OutputFactory.Lifetime#CAMERA})
     * see it: the source's timestamps start over, whatever the output carries on with.
     */
    default void cameraRestarted() {
    }

    /** Adds this output's counters to a status snapshot being taken; the default reports none. */
    default void report(OutputReport report) {
    }

    /** Stops the output and frees what it holds; it receives nothing more. */
    @Override
    void close();
}
