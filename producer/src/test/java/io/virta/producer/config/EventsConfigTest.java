package io.virta.producer.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code events:} section: the producer's event hub. */
class EventsConfigTest {
    @Test
    void defaults() throws Exception {
        EventsConfig events = ProducerConfig.parse("cameras: []\n", "c.yaml").events();
        assertEquals(EventsConfig.DEFAULTS, events);
        assertEquals(Path.of("virta-events"), events.journal());
        assertEquals(Duration.ofHours(168), events.retention());
    }

    @Test
    void settings() throws Exception {
        EventsConfig events = ProducerConfig.parse("events:\n  journal: /var/lib/virta/events\n  retentionHours: 24\n"
                + "  enabled: false\n", "c.yaml").events();
        assertFalse(events.enabled());
        assertEquals(Path.of("/var/lib/virta/events"), events.journal());
        assertEquals(Duration.ofHours(24), events.retention());
    }

    @Test
    void theJournalIsTheOwnersUnlessAGroupIsNamed() throws Exception {
        assertEquals(null, ProducerConfig.parse("events: {}\n", "c.yaml").events().journalGroup());
        assertEquals("video", ProducerConfig.parse("events: {journalGroup: video}\n", "c.yaml").events().journalGroup());
        assertError("events:\n  journalGroup: 'a b'\n", "c.yaml: events.journalGroup: 'a b' is not a group name; name an existing group (getent group), e.g. video");
    }

    @Test
    void errorsNameTheField() {
        assertError("events:\n  retention: 5\n", "c.yaml: events.retention: unknown setting; known here: enabled, journal,"
                + " retentionHours, journalGroup");
        assertError("events:\n  retentionHours: 0\n", "c.yaml: events.retentionHours: 0 is outside 1..87600");
        assertError("events:\n  retentionHours: 1.5\n", "c.yaml: events.retentionHours: expected a whole number, found '1.5'");
        assertError("events:\n  enabled: maybe\n", "c.yaml: events.enabled: expected true or false, found 'maybe'");
        assertError("events:\n  journal: ''\n", "c.yaml: events.journal: is empty; give the directory of the event journal,"
                + " e.g. ./virta-events");
        assertError("events: [1]\n", "c.yaml: events: expected a mapping (key: value lines), found a list");
    }

    private static void assertError(String yaml, String message) {
        assertEquals(message, assertThrows(ConfigException.class, () -> ProducerConfig.parse(yaml, "c.yaml")).getMessage());
    }
}
