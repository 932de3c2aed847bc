package io.virta.hub.journal;

import net.openhft.chronicle.core.time.TimeProvider;

import java.util.function.LongSupplier;

/**
 * Journal time: the wall clock, but never earlier than the newest entry's journal time. Chronicle picks
 * the hour file from it too, so a clock that steps back keeps writing into the newest file.
 */
final class JournalClock implements TimeProvider {
    private final LongSupplier wallMicros;
    private volatile long floorMicros;

    JournalClock(LongSupplier wallMicros) {
        this.wallMicros = wallMicros;
    }

    /** Journal time will not go below {@code micros} from now on. */
    void notBefore(long micros) {
        if (micros > floorMicros) {
            floorMicros = micros;
        }
    }

    @Override
    public long currentTimeMicros() {
        return Math.max(wallMicros.getAsLong(), floorMicros);
    }

    @Override
    public long currentTimeMillis() {
        return currentTimeMicros() / 1000;
    }

    @Override
    public long currentTimeNanos() {
        return currentTimeMicros() * 1000;
    }
}
