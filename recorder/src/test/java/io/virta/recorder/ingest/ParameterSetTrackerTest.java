package io.virta.recorder.ingest;

import io.virta.bus.PixelFormat;
import io.virta.recorder.format.StreamParameters;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class ParameterSetTrackerTest {
    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    @Test
    void theSameParameterSetsGiveTheSameObjectAndAChangeANewOne() {
        ParameterSetTracker tracker = new ParameterSetTracker();
        StreamParameters first = tracker.update(PixelFormat.H264, 0, 0, direct(BusStream.accessUnit(1, 0)));
        assertArrayEquals(BusStream.parameterSets(0), first.parameterSets());
        assertSame(first, tracker.update(PixelFormat.H264, 0, 0, direct(BusStream.accessUnit(11, 0))));
        StreamParameters changed = tracker.update(PixelFormat.H264, 0, 0, direct(BusStream.accessUnit(21, 1)));
        assertArrayEquals(BusStream.parameterSets(1), changed.parameterSets());
        assertNotEquals(first, changed);
        StreamParameters resized = tracker.update(PixelFormat.H264, 640, 480, direct(BusStream.accessUnit(31, 1)));
        assertNotEquals(changed, resized);
    }

    @Test
    void h265ParameterSetsAreFoundByTheirTypes() {
        byte[] unit = {0, 0, 0, 1, 0x40, 1, 0x0c, 0, 0, 0, 1, 0x42, 1, 1, 0, 0, 1, 0x44, 1, (byte) 0xc1, 0, 0, 1, 0x26, 1,
                (byte) 0xaf, 0, 0, 1, 0x42, 1, 9};
        StreamParameters parameters = new ParameterSetTracker().update(PixelFormat.H265, 0, 0, direct(unit));
        assertArrayEquals(new byte[] {0, 0, 0, 1, 0x40, 1, 0x0c, 0, 0, 0, 1, 0x42, 1, 1, 0, 0, 0, 1, 0x44, 1,
                (byte) 0xc1}, parameters.parameterSets(), "VPS, SPS, PPS with 4-byte start codes; nothing after the slice");
    }
}
