package io.virta.producer.web;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The codecs strings browsers are asked about, from the decoder configuration records the muxer writes. */
class CodecStringTest {
    @Test
    void avcFromProfileCompatibilityAndLevel() {
        // ...avcC, version 1, High (0x64), no constraints, level 4.0 (0x28)
        byte[] init = HexFormat.of().parseHex("0000000f" + "61766343" + "01640028ff");
        assertEquals("avc1.640028", CodecString.of(init));
    }

    @Test
    void hevcWithReversedCompatibilityTierLevelAndConstraintBytes() {
        // hvcC: version 1, Main (space 0, tier 0, idc 1), compatibility 0x60000000 (bits 1 and 2),
        // constraints 0x90 0 0 0 0 0, level 93 (3.1)
        byte[] init = HexFormat.of().parseHex("00000020" + "68766343" + "01" + "01" + "60000000"
                + "900000000000" + "5d" + "f000fcfdf8f800000f");
        assertEquals("hvc1.1.6.L93.90", CodecString.of(init));
    }

    @Test
    void nothingWithoutADecoderConfiguration() {
        assertNull(CodecString.of(new byte[64]));
    }
}
