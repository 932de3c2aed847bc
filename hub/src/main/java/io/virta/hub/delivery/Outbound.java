package io.virta.hub.delivery;

/**
 * Where a subscription or query sends its messages: a gRPC response stream, in the hub. Called by one
 * thread at a time.
 */
public interface Outbound<T> {
    /** Whether the receiver keeps up: false once the transport's buffer is full. Sending stops until then. */
    boolean isReady();

    void send(T message);

    /** The stream ends normally (a query that returned everything). */
    void complete();

    /** The stream ends because the hub cannot go on (shutting down, journal unreadable). */
    void fail(String reason);
}
