package io.virta.hub;

import com.google.protobuf.CodedOutputStream;
import io.virta.hub.journal.EventJournal;
import io.virta.hub.validate.CameraDirectory;
import io.virta.hub.validate.EventValidator;
import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The intake path allocates nothing of its own: validating and journaling an event allocate no more
 * than protobuf does to serialize it once (its encoder object and map-field views, a few hundred bytes
 * the JIT partly removes). A copy of the event, a byte array per event or a Chronicle object per
 * append would show here. Measured with the thread's allocation counter, best of several rounds.
 */
class IntakeAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int COUNT = 20_000;

    @Test
    void validatingAndJournalingAllocateNoMoreThanOneSerialization(@TempDir Path dir) {
        long now = System.currentTimeMillis() * 1000;
        BoundingBox box = BoundingBox.newBuilder().setX(0.1f).setY(0.2f).setWidth(0.3f).setHeight(0.4f)
                .setLabel("motion").setScore(0.5f).build();
        Event event = Event.newBuilder().setType("motion").setCamera("lobby").setCaptureTimeMicros(now)
                .addBoxes(box).addBoxes(box).putAttributes("moving_fraction", "0.0371").setSource("motion").build();
        EventValidator validator = new EventValidator(CameraDirectory.of(List.of("lobby")), () -> now);
        byte[] buffer = new byte[4096];
        try (EventJournal journal = EventJournal.open(dir)) {
            double hub = Double.MAX_VALUE;
            double protobuf = Double.MAX_VALUE;
            for (int round = 0; round < 15; round++) {
                hub = Math.min(hub, perEvent(() -> {
                    check(validator.check(event, 0, now));
                    journal.append(event);
                }));
                protobuf = Math.min(protobuf, perEvent(() -> {
                    check(validator.check(event, 0, now));
                    try {
                        event.writeTo(CodedOutputStream.newInstance(buffer, 0, event.getSerializedSize()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
            }
            System.out.println("bytes allocated per event: validate + journal " + hub + ", validate + serialize " + protobuf);
            assertTrue(hub <= protobuf + 16, "the journal adds no allocation to protobuf's own: " + hub + " vs " + protobuf);
        }
    }

    private static void check(String reason) {
        if (reason != null) {
            throw new AssertionError(reason);
        }
    }

    private static double perEvent(Runnable work) {
        long thread = Thread.currentThread().threadId();
        long before = THREADS.getThreadAllocatedBytes(thread);
        for (int i = 0; i < COUNT; i++) {
            work.run();
        }
        return (double) (THREADS.getThreadAllocatedBytes(thread) - before) / COUNT;
    }
}
