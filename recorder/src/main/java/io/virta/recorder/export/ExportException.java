package io.virta.recorder.export;

/**
 * An export that cannot be made. The message names the camera and the times and says what to do
 * (another range, another camera); {@link #reason()} lets a server map it to a status (404 for
 * {@link Reason#NO_SUCH_CAMERA} and {@link Reason#NO_VIDEO}, 422 for {@link Reason#UNUSABLE_VIDEO}).
 */
public final class ExportException extends Exception {
    public enum Reason {
        /** The store holds no video of the camera at all. */
        NO_SUCH_CAMERA,
        /** The camera has no frame in the range; the message lists the recorded spans nearby. */
        NO_VIDEO,
        /** Frames are there but none can be exported (parameter sets missing or unreadable, all damaged). */
        UNUSABLE_VIDEO
    }

    private final Reason reason;

    public ExportException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
