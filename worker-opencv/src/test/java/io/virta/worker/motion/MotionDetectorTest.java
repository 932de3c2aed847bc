package io.virta.worker.motion;

import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import io.virta.worker.CollectingSink;
import io.virta.worker.FrameSource;
import io.virta.worker.Region;
import io.virta.worker.TestChannels;
import io.virta.worker.WorkerArguments;
import io.virta.worker.WorkerRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The motion detector on a real bus channel ({@link MovingScene}): its boxes must cover the moving
 * rectangle where it was at each event's capture time, and nothing may come from the ignored clock.
 */
@Timeout(60)
class MotionDetectorTest extends TestChannels {
    private static final int FRAMES = 60;
    /** Blur and dilation widen a region by a few pixels. */
    private static final int MARGIN = 16;

    @Test
    void boxesFollowTheMovingRectangleAndTheIgnoredClockStaysSilent() throws Exception {
        List<Event> events = run(WorkerArguments.builder().add("ignore", "0.875,0,0.125,0.1").build());
        assertTrue(events.size() >= FRAMES / 2, "an event for most frames: " + events.size());
        for (Event e : events) {
            assertEquals("motion", e.getType());
            assertEquals("motion", e.getSource());
            assertEquals("scene", e.getCamera());
            double moving = Double.parseDouble(e.getAttributesOrThrow("moving_fraction"));
            assertTrue(moving > 0 && moving < 0.1, "moving_fraction " + moving);
            int frame = MovingScene.frameAt(e.getCaptureTimeMicros());
            int[] now = MovingScene.rect(frame);
            int[] before = MovingScene.rect(frame - 1);
            long covered = 0;
            for (BoundingBox box : e.getBoxesList()) {
                assertEquals("motion", box.getLabel());
                assertTrue(box.getScore() > 0 && box.getScore() <= 1, "score " + box.getScore());
                int[] px = pixels(box);
                assertFalse(intersects(px, MovingScene.CLOCK), "a box on the ignored clock: " + e);
                int[] span = {Math.min(now[0], before[0]) - MARGIN, Math.min(now[1], before[1]) - MARGIN,
                        Math.max(now[2], before[2]) + MARGIN, Math.max(now[3], before[3]) + MARGIN};
                assertTrue(px[0] >= span[0] && px[1] >= span[1] && px[2] <= span[2] && px[3] <= span[3],
                        "box " + java.util.Arrays.toString(px) + " lies around the rectangle's last move "
                                + java.util.Arrays.toString(span) + " at frame " + frame);
                covered += intersection(px, now);
            }
            assertTrue(covered >= MovingScene.RECT_WIDTH * MovingScene.RECT_HEIGHT / 2,
                    "the boxes cover the rectangle where it is at frame " + frame + ": " + e);
        }
    }

    @Test
    void withoutTheIgnoreAreaTheClockIsReported() throws Exception {
        List<Event> events = run(WorkerArguments.empty());
        assertTrue(events.stream().flatMap(e -> e.getBoxesList().stream())
                .anyMatch(b -> intersects(pixels(b), MovingScene.CLOCK)), "the changing clock is motion too");
    }

    @Test
    void optionsAreCheckedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MotionOptions.from(WorkerArguments.builder().add("min-area", "2").build()));
        assertTrue(e.getMessage().startsWith("--min-area: 2.0 is outside [0, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MotionOptions.from(WorkerArguments.builder().add("ignore", "0.5,0.5,0.6,0.1").build()));
        assertTrue(e.getMessage().startsWith("--ignore '0.5,0.5,0.6,0.1'"), e.getMessage());
        assertEquals(List.of(new Region(0.1, 0.2, 0.3, 0.4)),
                MotionOptions.from(WorkerArguments.builder().add("ignore", "0.1,0.2,0.3,0.4").build()).ignore());
    }

    private List<Event> run(WorkerArguments arguments) throws Exception {
        String channel = channelName("motion");
        CollectingSink sink = new CollectingSink();
        try (MovingScene scene = new MovingScene(channel);
             WorkerRunner runner = WorkerRunner.builder(new MotionDetector(), FrameSource.channel(channel, "scene"))
                     .name("motion").arguments(arguments).events(sink).pullTimeout(Duration.ofMillis(200)).start()) {
            for (int i = 0; i < FRAMES; i++) {
                scene.write(i);
                // Wait for the detector to take each frame, so that every event's predecessor is the frame before.
                long giveUp = System.nanoTime() + 5_000_000_000L;
                while (runner.counters().frames() < i + 1 && System.nanoTime() < giveUp) {
                    Thread.sleep(1);
                }
            }
            Thread.sleep(100);
        }
        return sink.events();
    }

    private static int[] pixels(BoundingBox b) {
        return new int[] {Math.round(b.getX() * MovingScene.WIDTH), Math.round(b.getY() * MovingScene.HEIGHT),
                Math.round((b.getX() + b.getWidth()) * MovingScene.WIDTH),
                Math.round((b.getY() + b.getHeight()) * MovingScene.HEIGHT)};
    }

    private static boolean intersects(int[] a, int[] b) {
        return intersection(a, b) > 0;
    }

    private static long intersection(int[] a, int[] b) {
        long w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
        long h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
        return w > 0 && h > 0 ? w * h : 0;
    }
}
