package io.virta.worker.attach;

/** A worker could not attach to its frames; the message says why and what to do. */
public final class AttachException extends RuntimeException {
    public AttachException(String message) {
        super(message);
    }

    public AttachException(String message, Throwable cause) {
        super(message, cause);
    }
}
