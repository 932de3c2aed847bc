package io.virta.producer.recording;

import io.virta.hub.EventHub;
import io.virta.hub.validate.CameraDirectory;
import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import io.virta.recorder.retention.EventMark;
import io.virta.recorder.retention.EventRule;
import io.virta.recorder.retention.RetentionPolicy;
import io.virta.recorder.retention.RetentionService;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Events reported to a real hub become marks in a real store's mark log (event-extended retention):
 * a burst of a detector's events is one mark, an event type or a box label may match a rule, and other
 * labels and cameras that are not recorded leave no mark.
 */
@Timeout(60)
class EventRetentionTest {
    @TempDir
    Path temp;

    @Test
    void aBurstOfMatchingEventsBecomesOneMarkAndOthersNone() throws Exception {
        long now = System.currentTimeMillis() * 1000;
        RetentionPolicy policy = RetentionPolicy.DEFAULT.withEvents(List.of(EventRule.of("person")));
        try (EventHub hub = EventHub.open(EventHub.Options.of(temp.resolve("journal"), CameraDirectory.anyValidName()));
             RecordingStore store = RecordingStore.open(temp.resolve("store"), SegmentPolicy.DEFAULT);
             RetentionService retention = RetentionService.open(store, policy, InstantSource.system())) {
            EventRetention.Target gate = new EventRetention.Target() {
                @Override
                public Set<String> labels() {
                    return retention.policy().limitsOf("gate").rules().keySet();
                }

                @Override
                public void mark(EventMark mark) throws IOException {
                    retention.marks().mark(mark);
                }
            };
            try (EventRetention marks = EventRetention.start(hub,
                    camera -> camera.equals("gate") ? Optional.of(gate) : Optional.empty(), Duration.ofMillis(300))) {
                awaitTrue(() -> hub.liveSubscriptions() == 1, "the subscription");
                // A detector's burst, 4 a second: the label is a box's, the type something else.
                for (int i = 0; i < 8; i++) {
                    var response = hub.report(List.of(event("gate", "objects", "person", now + i * 250_000L)));
                    assertEquals(1, response.getAccepted(), response.toString());
                }
                hub.report(List.of(event("gate", "motion", "motion", now)));     // no rule for motion
                hub.report(List.of(event("yard", "person", "person", now)));     // yard is not recorded
                awaitTrue(() -> retention.marks().marks().size() == 1, "one mark for the burst");
                EventMark mark = retention.marks().marks().getFirst();
                assertEquals("gate", mark.camera());
                assertEquals("person", mark.label());
                assertEquals(now, mark.start().getEpochSecond() * 1_000_000 + mark.start().getNano() / 1000);
                assertEquals(now + 7 * 250_000L, mark.end().getEpochSecond() * 1_000_000 + mark.end().getNano() / 1000);
                // An event whose type is the rule's label, in a later episode, at close.
                hub.report(List.of(event("gate", "person", "face", now + 60_000_000L)));
                awaitTrue(() -> marks.dropped() == 0 && retention.marks().marks().size() == 2, "a second episode");
            }
        }
    }

    private static Event event(String camera, String type, String boxLabel, long captureMicros) {
        return Event.newBuilder().setType(type).setCamera(camera).setCaptureTimeMicros(captureMicros)
                .addBoxes(BoundingBox.newBuilder().setX(0.1f).setY(0.2f).setWidth(0.3f).setHeight(0.4f)
                        .setLabel(boxLabel).setScore(0.9f))
                .setSource("test").build();
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long giveUp = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < giveUp, "gave up waiting for " + what);
            Thread.sleep(20);
        }
    }
}
