package io.virta.hub.delivery;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs {@link #drain()} on an executor whenever {@link #signal()} is called, never on two threads at
 * once, and again if a signal arrived while it ran: a gRPC stream's sends must not overlap, and a
 * signal (new event, transport ready again, cancellation) must never be lost.
 */
abstract class SerialDrain implements Runnable {
    private final Executor executor;
    private final AtomicInteger pending = new AtomicInteger();
    /** Set by a drain that stopped early to let other streams use the thread: it runs again at once. */
    private boolean yielded;

    SerialDrain(Executor executor) {
        this.executor = executor;
    }

    final void signal() {
        if (pending.getAndIncrement() == 0) {
            try {
                executor.execute(this);
            } catch (RejectedExecutionException e) {
                // The hub is shutting down: its close() finishes every stream itself.
                pending.set(0);
            }
        }
    }

    @Override
    public final void run() {
        int seen = 1;
        do {
            yielded = false;
            drain();
            seen = pending.addAndGet(-seen);
        } while (seen != 0 && !yielded);
        if (yielded) {
            pending.set(0);
            signal();
        }
    }

    /** Asks to be run again after other queued work: for long scans. */
    final void yieldThread() {
        yielded = true;
    }

    /** Sends what it can; called on one thread at a time. */
    abstract void drain();
}
