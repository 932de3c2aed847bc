package io.virta.producer.control;

import io.virta.hub.EventHub;
import io.virta.hub.validate.CameraDirectory;
import io.virta.producer.config.EventsConfig;
import io.virta.producer.status.CameraStatus;
import io.virta.producer.daemon.Producer;

/**
 * The event hub as the producer runs it, beside the control API: it accepts events for the
 * producer's cameras as they are at each moment, including cameras added over the control API.
 *
 * <pre>{@code
 * EventHub hub = ProducerEventHub.open(config.events(), producer);
 * ControlServer control = ControlServer.start(config.controlListen(), producer, new EventHubService(hub));
 * }</pre>
 */
public final class ProducerEventHub {
    private ProducerEventHub() {
    }

    /** Opens the journal of {@code events} (it must be {@code enabled}). */
    public static EventHub open(EventsConfig events, Producer producer) {
        CameraDirectory cameras = CameraDirectory.live(name -> producer.status(name) != null,
                () -> producer.statuses().stream().map(CameraStatus::name).toList());
        return EventHub.open(EventHub.Options.of(events.journal(), cameras).retention(events.retention())
                .journalGroup(events.journalGroup()));
    }
}
