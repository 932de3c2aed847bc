package io.virta.rtsp.rtp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UnwrapperTest {
    @Test
    void sequenceNumbersKeepCountingPastTheWrap() {
        SequenceUnwrapper unwrapper = new SequenceUnwrapper();
        assertEquals(65533, unwrapper.unwrap(65533));
        assertEquals(65534, unwrapper.unwrap(65534));
        assertEquals(65535, unwrapper.unwrap(65535));
        assertEquals(65536, unwrapper.unwrap(0));
        assertEquals(65537, unwrapper.unwrap(1));
        assertEquals(65535, unwrapper.unwrap(65535), "a reordered packet from before the wrap steps back");
        assertEquals(65538, unwrapper.unwrap(2));
        long value = 65538;
        for (int i = 0; i < 5 * 65536; i += 1000) {
            value += 1000;
            assertEquals(value, unwrapper.unwrap((int) (value & 0xffff)));
        }
    }

    @Test
    void sequenceStepsBackFromTheFirstNumberGoBelowIt() {
        SequenceUnwrapper unwrapper = new SequenceUnwrapper();
        assertEquals(2, unwrapper.unwrap(2));
        assertEquals(-1, unwrapper.unwrap(65535));
        assertEquals(3, unwrapper.unwrap(3));
        unwrapper.reset();
        assertEquals(40000, unwrapper.unwrap(40000));
    }

    @Test
    void timestampsKeepGrowingPastTheWrap() {
        TimestampUnwrapper unwrapper = new TimestampUnwrapper();
        long start = 0xffff_ffffL - 3600 * 2 + 1;
        assertEquals(start, unwrapper.unwrap(start));
        assertEquals(start + 3600, unwrapper.unwrap(start + 3600));
        assertEquals(start + 7200, unwrapper.unwrap((start + 7200) & 0xffff_ffffL));
        assertEquals(1L << 32, start + 7200, "the third timestamp is the first past the wrap");
        assertEquals(start + 3600, unwrapper.unwrap(start + 3600), "B-frame order steps back");
        assertEquals(start + 10800, unwrapper.unwrap((start + 10800) & 0xffff_ffffL));
        long value = start + 10800;
        for (int i = 0; i < 10; i++) {
            value += 1L << 30;
            assertEquals(value, unwrapper.unwrap(value & 0xffff_ffffL));
        }
    }
}
