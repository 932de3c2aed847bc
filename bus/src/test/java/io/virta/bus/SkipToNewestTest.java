package io.virta.bus;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A reader that analyzes a few frames a second jumps to the newest frame; what it passes over is not lost. */
class SkipToNewestTest extends ChannelTestBase {
    @Test
    void skipsToTheNewestFrameWithoutCountingALoss() {
        String name = name("skip");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64).cells(4));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            TestChannels.writePattern(writer, 64);
            assertEquals(PullStatus.FRAME, reader.poll());
            for (int i = 0; i < 10; i++) {
                TestChannels.writePattern(writer, 64);   // more than a ring, and over the held frame's cell
            }
            assertFalse(reader.frame().isIntact());
            assertEquals(9, reader.skipToNewest());
            assertEquals(PullStatus.FRAME, reader.poll(), "the held frame was released, so no overrun");
            assertEquals(11, reader.frame().sequence());
            assertEquals(0, reader.lost());
            assertEquals(0, reader.skipToNewest(), "nothing newer");
            assertEquals(PullStatus.TIMEOUT, reader.poll());
            TestChannels.writePattern(writer, 64);
            assertEquals(0, reader.skipToNewest(), "the next frame is the newest");
            assertEquals(PullStatus.FRAME, reader.poll());
            assertEquals(12, reader.frame().sequence());
        }
    }
}
