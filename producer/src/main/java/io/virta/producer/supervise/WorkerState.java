package io.virta.producer.supervise;

/** Where a supervised worker is in its life. */
public enum WorkerState {
    /** Its process runs. */
    RUNNING,
    /** Its process exited or could not start; the supervisor starts it again after a delay. */
    BACKOFF,
    /** Not running and not coming back: the producer is shutting down. */
    STOPPED
}
