package io.virta.producer.web;

import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.SubscribeResponse;

/** One message of {@code /ws/events}: an event (boxes in normalized picture coordinates) or a missed-count notice. */
final class EventJson {
    private EventJson() {
    }

    static String of(SubscribeResponse message) {
        if (message.hasMissed()) {
            return new Json().open().field("missed", message.getMissed().getCount()).close().toString();
        }
        Event event = message.getEvent();
        Json json = new Json().open().field("id", event.getId()).field("camera", event.getCamera())
                .field("type", event.getType()).field("captureTimeMs", event.getCaptureTimeMicros() / 1000.0)
                .field("source", event.getSource()).openArray("boxes");
        for (BoundingBox box : event.getBoxesList()) {
            json.open().field("x", box.getX()).field("y", box.getY()).field("width", box.getWidth())
                    .field("height", box.getHeight()).field("label", box.getLabel()).field("score", box.getScore())
                    .close();
        }
        return json.closeArray().close().toString();
    }
}
