package io.virta.worker.events;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs a recurring problem at most once per interval, saying how many times it happened in between,
 * so that a worker refused on every frame does not flood its log.
 */
final class RateLimitedLog {
    private final Logger logger;
    private final long intervalNanos;
    private long lastLogged;
    private boolean any;
    private long suppressed;

    RateLimitedLog(Logger logger, long intervalNanos) {
        this.logger = logger;
        this.intervalNanos = intervalNanos;
    }

    /** Logs {@code message} now unless one was logged less than an interval ago. Thread-confined. */
    void log(Level level, java.util.function.Supplier<String> message) {
        long now = System.nanoTime();
        if (any && now - lastLogged < intervalNanos) {
            suppressed++;
            return;
        }
        String text = message.get();
        if (suppressed > 0) {
            text += " (and " + suppressed + " more like it since the last message)";
        }
        logger.log(level, text);
        any = true;
        lastLogged = now;
        suppressed = 0;
    }
}
