package io.virta.rtsp.media;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Holds the NAL unit type tables to the numbers of H.264 / H.265 table 7-1 and RFC 6184 / 7798, written
 * here as plain numbers on purpose: the code that declared them before the tables existed used these.
 */
class NalUnitTypeTest {

    @Test
    void everyNumberHasItsConstantInNumericOrder() {
        for (int value = 0; value < 32; value++) {
            assertEquals(value, H264NalType.of(value).value());
            assertEquals(value, H264NalType.of(value).ordinal());
        }
        for (int value = 0; value < 64; value++) {
            assertEquals(value, H265NalType.of(value).value());
            assertEquals(value, H265NalType.of(value).ordinal());
        }
        assertEquals(32, H264NalType.values().length);
        assertEquals(64, H265NalType.values().length);
        assertThrows(IllegalArgumentException.class, () -> H264NalType.of(32));
        assertThrows(IllegalArgumentException.class, () -> H265NalType.of(-1));
    }

    @Test
    void headersAreReadAsTheStandardsLayThemOut() {
        assertSame(H264NalType.IDR_SLICE, H264NalType.ofHeader(0x65));
        assertSame(H264NalType.SPS, H264NalType.ofHeader((byte) 0xe7));   // F and NRI bits are not the type
        assertSame(H264NalType.FU_A, H264NalType.ofHeader(0x7c));
        assertSame(H265NalType.VPS, H265NalType.ofHeader(0x40));
        assertSame(H265NalType.IDR_W_RADL, H265NalType.ofHeader(0x26));
        assertSame(H265NalType.FRAGMENTATION_UNIT, H265NalType.ofHeader((byte) 0xe3));   // F and layer bit set
        assertSame(H264NalType.PPS, VideoCodec.H264.nalType(0x68));
        assertSame(H265NalType.PPS, VideoCodec.H265.nalType(0x44));
        assertEquals(1, VideoCodec.H264.nalHeaderLength());
        assertEquals(2, VideoCodec.H265.nalHeaderLength());
    }

    @Test
    void h264RolesAndTraits() {
        for (H264NalType type : H264NalType.values()) {
            int t = type.value();
            NalRole role = switch (t) {
                case 1, 2, 3, 4 -> NalRole.SLICE;
                case 5 -> NalRole.KEYFRAME_SLICE;
                case 7 -> NalRole.SEQUENCE_PARAMETER_SET;
                case 8 -> NalRole.PICTURE_PARAMETER_SET;
                case 9 -> NalRole.ACCESS_UNIT_DELIMITER;
                default -> NalRole.OTHER;
            };
            assertEquals(role, type.role(), type.name());
            assertEquals(t == 1 || t == 2 || t == 5, type.hasSliceHeader(), type.name());
            assertEquals(t == 6 || t == 7 || t == 8 || t == 9 || (t >= 14 && t <= 18), type.beginsAccessUnit(),
                    type.name());
            assertEquals(t >= 24 && t <= 29, type.isRtpPayloadStructure(), type.name());
            assertEquals(t == 0 || t >= 30, type.isUnspecified(), type.name());
            assertEquals(t == 7 || t == 8, type.isParameterSet(), type.name());
        }
    }

    @Test
    void h265RolesAndTraits() {
        for (H265NalType type : H265NalType.values()) {
            int t = type.value();
            NalRole role = t >= 16 && t <= 23 ? NalRole.KEYFRAME_SLICE : t < 32 ? NalRole.SLICE : switch (t) {
                case 32 -> NalRole.VIDEO_PARAMETER_SET;
                case 33 -> NalRole.SEQUENCE_PARAMETER_SET;
                case 34 -> NalRole.PICTURE_PARAMETER_SET;
                case 35 -> NalRole.ACCESS_UNIT_DELIMITER;
                default -> NalRole.OTHER;
            };
            assertEquals(role, type.role(), type.name());
            assertEquals(t <= 31, type.hasSliceHeader(), type.name());
            assertEquals((t >= 32 && t <= 35) || t == 39 || (t >= 41 && t <= 44) || (t >= 48 && t <= 55),
                    type.beginsAccessUnit(), type.name());
            assertEquals(t >= 48 && t <= 50, type.isRtpPayloadStructure(), type.name());
            assertEquals(t > 50, type.isUnspecified(), type.name());
            assertEquals((t >= 10 && t <= 15) || (t >= 22 && t <= 31) || (t >= 41 && t <= 47), type.isReserved(),
                    type.name());
            assertEquals(t >= 32 && t <= 34, type.isParameterSet(), type.name());
        }
    }
}
