package io.virta.worker;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.worker.attach.AttachException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop API on real bus channels: overruns, the rate limit, missing channels (Mats: worker-opencv's FrameMatsTest). */
@Timeout(60)
class FrameStreamTest extends TestChannels {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void aFrameOverwrittenWhileHeldIsDetectedAndCountsAsLost() {
        String name = channelName("held");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16).cells(2));
             FrameStream stream = FrameSource.channel(name).open()) {
            writeGradient(writer, 16, 16);
            WorkerFrame frame = stream.next(WAIT);
            assertTrue(frame.isIntact());
            writeGradient(writer, 16, 16);
            writeGradient(writer, 16, 16);   // reuses the held frame's cell
            assertFalse(frame.isIntact(), "the writer reused the cell: the view is no longer the frame");
            assertNotNull(stream.next(WAIT));
            assertEquals(3, frame.sequence(), "resumes at the newest frame");
            assertTrue(stream.lost() >= 1, "the overwritten frame counts as lost: " + stream.counters());
            assertEquals(1, stream.overruns());
        }
    }

    @Test
    void theRateLimitTakesTheNewestFrameAndSkipsTheRestUnread() {
        String name = channelName("rate");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16).cells(4));
             FrameStream stream = FrameSource.channel(name).fps(5).open()) {
            writeGradient(writer, 16, 16);
            assertEquals(1, stream.next(WAIT).sequence());
            for (int i = 0; i < 10; i++) {
                writeGradient(writer, 16, 16);   // more than a ring: a reader taking every frame would overrun
            }
            WorkerFrame frame = stream.next(WAIT);
            assertEquals(11, frame.sequence(), "the newest frame");
            assertEquals(9, stream.skipped());
            assertEquals(0, stream.lost(), "skipped on purpose, not lost");
            assertEquals(0, stream.overruns());
            // Nothing new: the next one is the writer's next frame, not before 1/5 s after the last.
            long before = System.nanoTime();
            Thread.ofPlatform().start(() -> {
                sleep(50);
                writeGradient(writer, 16, 16);
            });
            assertEquals(12, stream.next(WAIT).sequence());
            assertTrue(System.nanoTime() - before >= 150_000_000L, "paced at 5 frames/s");
        }
    }

    @Test
    void countersTellTimeouts() {
        String name = channelName("quiet");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 16));
             FrameStream stream = FrameSource.channel(name).open()) {
            assertNull(stream.next(Duration.ofMillis(30)));
            assertEquals(new StreamCounters(0, 0, 0, 0, 1, 0), stream.counters());
            assertEquals(0, writer.sequence());
        }
    }

    @Test
    void aMissingChannelOrAWrongTypeSaysWhatToDo() {
        String name = channelName("missing");
        AttachException missing = assertThrows(AttachException.class,
                () -> FrameSource.channel(name).attachTimeout(Duration.ofMillis(100)).open());
        assertTrue(missing.getMessage().contains("'" + name + "' does not exist"), missing.getMessage());
        String yuv = channelName("yuv");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.yuv420p(yuv, 16, 16))) {
            AttachException wrong = assertThrows(AttachException.class, () -> FrameSource.channel(yuv).open());
            assertTrue(wrong.getMessage().contains("YUV420P"), wrong.getMessage());
            try (FrameStream stream = FrameSource.channel(yuv).type(ChannelType.YUV420P).open()) {
                assertEquals(ChannelType.YUV420P, stream.channelType());
                assertEquals(0, writer.sequence());
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
