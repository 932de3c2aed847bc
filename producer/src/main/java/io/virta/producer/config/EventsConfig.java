package io.virta.producer.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The producer's event hub ({@code events:} in the YAML): served beside the control API, journaling
 * into {@code journal} and keeping events for {@code retention}. The journal is the owner's only
 * (0700/0600), or shared with {@code journalGroup} (0770/0660) when that is not null. See docs/events.md.
 */
public record EventsConfig(boolean enabled, Path journal, Duration retention, String journalGroup) {
    public static final Path DEFAULT_JOURNAL = Path.of("virta-events");
    public static final int DEFAULT_RETENTION_HOURS = 168;
    public static final EventsConfig DEFAULTS = new EventsConfig(true, DEFAULT_JOURNAL,
            Duration.ofHours(DEFAULT_RETENTION_HOURS));

    /** Owner only. */
    public EventsConfig(boolean enabled, Path journal, Duration retention) {
        this(enabled, journal, retention, null);
    }
}
