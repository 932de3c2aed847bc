package io.virta.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A moment on the command line ({@code virta record ls --from T}): ISO-8601 with an offset
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
    static final String FORMS = "give ISO-8601 with an offset, e.g. 2026-12-07T10:00:00+02:00, or a relative time"
            + " like -10m (units s, m, h, d) or now";
    private static final Pattern RELATIVE = Pattern.compile("-(\\d{1,9})([smhd])");

    private final Clock clock;

    TimeArgument(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Instant convert(String text) {
        String value = text.strip();
        if (value.equalsIgnoreCase("now")) {
            return clock.instant();
        }
        Matcher relative = RELATIVE.matcher(value.toLowerCase(Locale.ROOT));
        if (relative.matches()) {
            long amount = Long.parseLong(relative.group(1));
            Duration back = switch (relative.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            return clock.instant().minus(back);
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + text + "': " + FORMS);
        }
    }
}
