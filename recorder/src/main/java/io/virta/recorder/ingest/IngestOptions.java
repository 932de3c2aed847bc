package io.virta.recorder.ingest;

import java.time.Duration;

/**
 * How a {@link ChannelRecorder} paces itself.
 *
 * @param idleTick   the longest pull: a camera that sends nothing is still synced and stopped this often
 * @param retryAfter how long a camera whose store refused a write (or whose channel is unusable) pauses
 * @param observer   told around each append; {@link AppendObserver#NONE} outside tests
 */
public record IngestOptions(Duration idleTick, Duration retryAfter, AppendObserver observer) {
    public static final IngestOptions DEFAULT = new IngestOptions(Duration.ofMillis(100), Duration.ofSeconds(5),
            AppendObserver.NONE);

    public IngestOptions {
        if (idleTick.isNegative() || idleTick.isZero() || retryAfter.isNegative()) {
            throw new IllegalArgumentException("idle tick must be positive and retry delay not negative: " + idleTick
                    + ", " + retryAfter);
        }
    }

    public IngestOptions withRetryAfter(Duration delay) {
        return new IngestOptions(idleTick, delay, observer);
    }

    public IngestOptions withObserver(AppendObserver next) {
        return new IngestOptions(idleTick, retryAfter, next);
    }
}
