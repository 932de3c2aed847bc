package io.virta.producer.web;

import io.virta.recorder.store.StoreView;

import java.nio.file.Path;

/**
 * Where the web view finds a camera's recorded video ({@code /api/recordings/CAMERA},
 * {@code /export/CAMERA.mp4}): the producer answers from its recording stores. Called from request
 * threads (virtual threads of the web view, never its event loop); must be thread-safe and quick.
 *
 * <pre>{@code
 * webView.recordings(camera -> recording.lookup(camera));
 * }</pre>
 */
@FunctionalInterface
public interface RecordingSource {
    /** Without recording stores: every camera is "not recorded". */
    RecordingSource NONE = camera -> new Unavailable(Unavailable.Why.RECORDING_OFF,
            "the producer has no recording store (recording: is not configured), so there is no video of '"
                    + camera + "'; add recording: and record: { enabled: true } to the camera");

    /** What the web view may read of {@code camera}. */
    Lookup lookup(String camera);

    /** The answer of a {@link #lookup}. */
    sealed interface Lookup permits Recorded, Unavailable {
    }

    /**
     * The camera's video is in {@code store}, readable through {@code view} (which the source owns and closes).
     *
     * @param gapMicros a pause between frames longer than this is a gap (the store's {@code maxGap})
     */
    record Recorded(String camera, Path store, StoreView view, long gapMicros) implements Lookup {
    }

    /** No video can be read; {@code message} names the camera and says what to do. */
    record Unavailable(Why why, String message) implements Lookup {
        public enum Why {
            /** Neither a camera of the producer nor one any store holds video of: 404. */
            NO_SUCH_CAMERA,
            /** The camera is not recorded: 503. */
            RECORDING_OFF,
            /** Its store's directory is gone (deleted, disk unmounted) or its index cannot be read: 503. */
            STORE_GONE
        }
    }
}
