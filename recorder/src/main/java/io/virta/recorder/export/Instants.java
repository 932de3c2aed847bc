package io.virta.recorder.export;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Capture times (µs since the epoch) as ISO-8601 UTC text, for messages and manifests. */
final class Instants {
    private Instants() {
    }

    static String format(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS).toString();
    }
}
