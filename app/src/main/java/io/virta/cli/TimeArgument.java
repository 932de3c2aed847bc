package io.virta.cli;

import io.virta.recorder.MomentText;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Clock;
import java.time.Instant;

/**
 * A moment on the command line ({@code virta record ls --from T}), read by {@link MomentText} (shared
 * with the web view's URLs): ISO-8601 with an offset
 * ({@code 2026-12-07T10:00:00+02:00}, {@code 2026-12-07T08:00:00Z}, fractions of a second allowed), or a
 * time relative to now ({@code now}, {@code -30s}, {@code -10m}, {@code -2h}, {@code -1d}). A time without
 * an offset is refused rather than read in some zone: a recording's moments are absolute, and the zone
 * of the machine that runs the command need not be the cameras'.
 *
 * <p>Relative times are read against the {@link Clock} given, so that a test can fix "now". Stateless
 * apart from the clock; thread-safe.
 *
 * <pre>{@code
 * Instant from = new TimeArgument(Clock.systemUTC()).convert("-10m");
 * }</pre>
 */
final class TimeArgument implements ITypeConverter<Instant> {
    /** What a user is told to give when a value is none of the forms. */
    static final String FORMS = MomentText.FORMS;

    private final Clock clock;

    TimeArgument(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Instant convert(String text) {
        try {
            return MomentText.parse(text, clock);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
