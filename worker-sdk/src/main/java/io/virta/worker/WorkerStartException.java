package io.virta.worker;

/** A worker's {@code onStart} failed (a bad option, a missing model file); the cause says why. */
public final class WorkerStartException extends RuntimeException {
    public WorkerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
