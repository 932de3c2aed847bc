package io.virta.bus;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader that comes back starts where it left off, as far as the ring reaches (docs/bus-format.md
 * section 5.1, step 5). With 8 cells and 20 frames written, frames 14 to 20 are offered: the cell of
 * frame 13 is the one the writer fills next.
 */
class StartAfterTest extends ChannelTestBase {
    private static final int CELLS = 8;
    private static final long WRITTEN = 20;
    private static final long OLDEST_OFFERED = WRITTEN - CELLS + 2;

    @Test
    void startsAfterASequenceStillInTheRing() {
        String name = name("after");
        try (ChannelWriter writer = writerWith(name, WRITTEN);
             ChannelReader reader = ChannelReader.builder(name).startAfter(15).open()) {
            assertFrames(reader, 16, WRITTEN, 0);
            TestChannels.writePattern(writer, 64);
            assertEquals(PullStatus.FRAME, reader.poll());
            assertEquals(WRITTEN + 1, reader.frame().sequence());
        }
    }

    @Test
    void reportsTheOverwrittenFramesAsLost() {
        String name = name("after-lost");
        try (ChannelWriter writer = writerWith(name, WRITTEN);
             ChannelReader reader = ChannelReader.builder(name).startAfter(5).open()) {
            assertEquals(PullStatus.OVERRUN, reader.poll());
            assertEquals(OLDEST_OFFERED, reader.frame().sequence());
            assertEquals(OLDEST_OFFERED - 6, reader.frame().lost(), "frames 6 to 13 were overwritten");
            assertFrames(reader, OLDEST_OFFERED + 1, WRITTEN, OLDEST_OFFERED - 6);
        }
    }

    @Test
    void startsAtTheOldestFrameInTheRing() {
        String name = name("oldest");
        try (ChannelWriter writer = writerWith(name, WRITTEN);
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.OLDEST).open()) {
            assertFrames(reader, OLDEST_OFFERED, WRITTEN, 0);
        }
        String young = name("oldest-young");
        try (ChannelWriter writer = writerWith(young, 3);
             ChannelReader reader = ChannelReader.builder(young).start(ChannelReader.Start.OLDEST).open()) {
            assertFrames(reader, 1, 3, 0);
        }
    }

    @Test
    void aSequenceBeyondTheNewestComesFromAnEarlierWriterSoAllTheRingIsNew() {
        String name = name("after-earlier");
        try (ChannelWriter writer = writerWith(name, WRITTEN);
             ChannelReader reader = ChannelReader.builder(name).startAfter(1000).open()) {
            assertFrames(reader, OLDEST_OFFERED, WRITTEN, 0);
        }
    }

    @Test
    void startsAfterTheNewestOrFromTheFirst() {
        String name = name("after-edges");
        try (ChannelWriter writer = writerWith(name, 3);
             ChannelReader caughtUp = ChannelReader.builder(name).startAfter(3).open();
             ChannelReader fromFirst = ChannelReader.builder(name).startAfter(0).open()) {
            assertEquals(PullStatus.TIMEOUT, caughtUp.poll());
            assertFrames(fromFirst, 1, 3, 0);
            TestChannels.writePattern(writer, 64);
            assertEquals(PullStatus.FRAME, caughtUp.poll());
            assertEquals(4, caughtUp.frame().sequence());
        }
        assertThrows(IllegalArgumentException.class, () -> ChannelReader.builder(name).startAfter(-1));
    }

    private static ChannelWriter writerWith(String name, long frames) {
        ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64).cells(CELLS));
        for (long i = 0; i < frames; i++) {
            TestChannels.writePattern(writer, 64);
        }
        return writer;
    }

    /** Pulls frames {@code first} to {@code last} in order, intact, then finds nothing more. */
    private static void assertFrames(ChannelReader reader, long first, long last, long lostBefore) {
        for (long sequence = first; sequence <= last; sequence++) {
            PullStatus status = reader.poll();
            assertTrue(status.hasFrame(), "frame " + sequence + ": " + status);
            assertEquals(sequence, reader.frame().sequence());
            assertTrue(TestChannels.hasPattern(reader.frame()), "frame " + sequence + " is whole");
        }
        assertEquals(PullStatus.TIMEOUT, reader.poll());
        assertEquals(lostBefore, reader.lost());
    }
}
