package io.virta.producer.web;

import io.virta.protos.events.v1.SubscribeResponse;


/**
 * One message of {@code /ws/events}: an event as {@code virta worker --print} writes it (the proto's
 * field names), or {@code {"missed":N}} when the subscriber fell behind.
 */
final class EventJson {
    private EventJson() {
    }

    static String of(SubscribeResponse message) {
        return message.hasMissed() ? "{\"missed\":" + message.getMissed().getCount() + "}"
                : io.virta.protos.events.EventJson.toJson(message.getEvent());
    }
}
