package io.virta.recorder;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A moment as a user writes it, on the command line ({@code virta record ls --from T}) or in a URL
 * ({@code /export/lobby.mp4?from=-10m}): ISO-8601 with an offset ({@code 2026-12-07T10:00:00+02:00},
 * {@code 2026-12-07T08:00:00Z}, fractions of a second allowed), or a time relative to now ({@code now},
 * {@code -30s}, {@code -10m}, {@code -2h}, {@code -1d}). A time without an offset is refused rather than
 * read in some zone: a recording's moments are absolute, and the zone of the machine that reads the text
 * need not be the cameras'.
 *
 * <p>Relative times are read against the {@link Clock} given, so that a test can fix "now". Stateless;
 * thread-safe; allocates a little per call. <b>Hostile input:</b> any text gives a moment or an
 * {@link IllegalArgumentException} quoting it; numbers are at most 9 digits, so nothing overflows.
 *
 * <pre>{@code
 * Instant from = MomentText.parse("-10m", Clock.systemUTC());
 * }</pre>
 */
public final class MomentText {
    /** What a user is told to give when a value is none of the forms. */
    public static final String FORMS = "give ISO-8601 with an offset, e.g. 2026-12-07T10:00:00+02:00, or a relative time"
            + " like -10m (units s, m, h, d) or now";
    private static final Pattern RELATIVE = Pattern.compile("-(\\d{1,9})([smhd])");

    private MomentText() {
    }

    /**
     * The moment {@code text} names.
     *
     * @throws IllegalArgumentException {@code "'TEXT': "} followed by {@link #FORMS}
     */
    public static Instant parse(String text, Clock clock) {
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
            throw new IllegalArgumentException("'" + text + "': " + FORMS);
        }
    }
}
