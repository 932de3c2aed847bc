package io.virta.producer.ingest;

import io.virta.rtsp.media.AccessUnit;

import java.util.ArrayList;
import java.util.List;

/**
 * A made-up H264 GOP for receiver tests: an IDR unit carrying SPS and PPS (large enough to need
 * FU-A), then P slices. Not decodable; the depacketizer and receiver only look at NAL headers.
 */
final class TinyH264Gop {
    private static final byte[] START = {0, 0, 0, 1};
    private static final byte[] SPS = {0x67, 0x42, (byte) 0xc0, 0x1e, (byte) 0xd9, 0x00, (byte) 0xa0, 0x47, (byte) 0xfe,
            (byte) 0xc8};
    private static final byte[] PPS = {0x68, (byte) 0xce, 0x3c, (byte) 0x80};

    private TinyH264Gop() {
    }

    /** {@code count} units: the IDR with {@code idrBytes} of slice data, then P slices of {@code pBytes}. */
    static List<AccessUnit> units(int count, int idrBytes, int pBytes) {
        List<AccessUnit> units = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            AccessUnit unit = AccessUnit.allocate(8192);
            var b = unit.data();
            b.clear();
            if (i == 0) {
                b.put(START).put(SPS).put(START).put(PPS);
            }
            b.put(START).put((byte) (i == 0 ? 0x65 : 0x41)).put((byte) 0x88);
            for (int j = 0; j < (i == 0 ? idrBytes : pBytes); j++) {
                b.put((byte) (j * 7 + 1));
            }
            b.flip();
            unit.keyframe(i == 0);
            units.add(unit);
        }
        return units;
    }
}
