package io.virta.recorder.ingest;

import java.time.Duration;

/**
 * How a {@link ChannelRecorder} paces itself.
 *
 * @param idleTick   the longest pull: a camera that sends nothing is still synced and stopped this often
 * @param retryAfter how long a camera whose store refused a write (or whose channel is unusable) pauses
 * @param observer   told around each append; {@link AppendObserver#NONE} outside tests
 * @param batch      how long frames gather in the ring before the recorder wakes to write them: one wake-up
 *                   per batch rather than per frame, which is most of a recorder's CPU time (the ring is
 *                   its buffer anyway). Zero wakes for every frame. Frames not yet written when the
 *                   whole process dies are at most this old; a recorder alone that dies loses none of
 *                   them (they wait in the ring, docs/recording-format.md section 9, <i>Resuming</i>).
 */
public record IngestOptions(Duration idleTick, Duration retryAfter, AppendObserver observer, Duration batch) {
    public static final Duration DEFAULT_BATCH = Duration.ofMillis(100);
    public static final IngestOptions DEFAULT = new IngestOptions(Duration.ofMillis(100), Duration.ofSeconds(5),
            AppendObserver.NONE, DEFAULT_BATCH);

    public IngestOptions {
        if (idleTick.isNegative() || idleTick.isZero() || retryAfter.isNegative() || batch.isNegative()
                || batch.compareTo(idleTick) > 0) {
            throw new IllegalArgumentException("idle tick must be positive, retry delay and batch not negative, and"
                    + " the batch at most the idle tick: " + idleTick + ", " + retryAfter + ", " + batch);
        }
    }

    public IngestOptions withRetryAfter(Duration delay) {
        return new IngestOptions(idleTick, delay, observer, batch);
    }

    public IngestOptions withObserver(AppendObserver next) {
        return new IngestOptions(idleTick, retryAfter, next, batch);
    }

    public IngestOptions withBatch(Duration gather) {
        return new IngestOptions(idleTick, retryAfter, observer, gather);
    }
}
