package io.virta.bus;

import java.time.Instant;

/** Wall-clock time in the bus's unit: microseconds since the Unix epoch. */
final class Clock {
    private Clock() {
    }

    static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
