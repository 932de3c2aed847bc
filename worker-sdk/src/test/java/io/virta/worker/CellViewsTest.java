package io.virta.worker;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Add-on views kept with a stream's frame: made once, told when the memory under them goes away. */
@Timeout(60)
class CellViewsTest extends TestChannels {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** Counts its invalidations, and the factory's calls. */
    static final class CountingViews implements CellViews {
        static int made;
        int invalidated;

        static CountingViews make(WorkerFrame frame) {
            made++;
            return new CountingViews();
        }

        @Override
        public void invalidate() {
            invalidated++;
        }
    }

    /** A subclass: not what a factory for CountingViews may return. */
    static final class OtherViews implements CellViews {
        @Override
        public void invalidate() {
        }
    }

    @Test
    void viewsAreMadeOnceAndInvalidatedWhenANewWriterTakesOverAndOnClose() {
        String name = channelName("views");
        CountingViews.made = 0;
        ChannelWriter first = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 8).cells(3));
        CountingViews views;
        try (FrameStream stream = FrameSource.channel(name).open()) {
            writeGradient(first, 16, 8);
            WorkerFrame frame = stream.next(WAIT);
            assertNotNull(frame);
            views = frame.views(CountingViews.class, CountingViews::make);
            assertEquals(name, frame.channel());
            assertEquals(3, frame.cellCount());
            assertEquals(0, frame.cell());
            for (int i = 1; i <= 4; i++) {
                writeGradient(first, 16, 8);
                assertSame(frame, stream.next(WAIT));
                assertEquals(i % 3, frame.cell(), "the cell follows the sequence around the ring");
                assertSame(views, frame.views(CountingViews.class, CountingViews::make));
            }
            assertEquals(1, CountingViews.made);
            assertEquals(0, views.invalidated);
            first.close();
            try (ChannelWriter second = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 8).cells(3))) {
                writeGradient(second, 16, 8);
                assertNotNull(stream.next(WAIT));
                assertEquals(1, views.invalidated, "a new writer's mapping: the old pointers are gone");
            }
        } finally {
            first.close();
        }
        assertEquals(2, views.invalidated, "closing the stream unmaps the memory");
    }

    @Test
    void aFactoryThatMakesAnotherKindIsRefused() {
        String name = channelName("kind");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 16, 8));
             FrameStream stream = FrameSource.channel(name).open()) {
            writeGradient(writer, 16, 8);
            WorkerFrame frame = stream.next(WAIT);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> frame.views(CountingViews.class, f -> null));
            assertEquals("views of " + CountingViews.class.getName() + " were asked for, but the factory made null:"
                    + " make exactly that class", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> frame.views(CellViews.class, f -> new OtherViews()));
        }
    }
}
