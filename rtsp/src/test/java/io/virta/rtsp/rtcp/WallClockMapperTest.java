package io.virta.rtsp.rtcp;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

/** From SR (NTP, RTP) pairs to Unix time, and the NTP epoch arithmetic under it. */
class WallClockMapperTest {
    private static final long JAN_1_2024_MICROS = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli() * 1000;
    /** 2024-01-01T00:00:00Z in NTP: 1704067200 + 2208988800 = 3913056000 = 0xE93C7F00 seconds. */
    private static final long JAN_1_2024_NTP = 0xE93C_7F00L << 32;

    @Test
    void ntpToUnix() {
        assertEquals(JAN_1_2024_MICROS, NtpTime.toUnixMicros(JAN_1_2024_NTP));
        assertEquals(JAN_1_2024_MICROS + 500_000, NtpTime.toUnixMicros(JAN_1_2024_NTP | 0x8000_0000L));
        assertEquals(JAN_1_2024_MICROS + 250_000, NtpTime.toUnixMicros(JAN_1_2024_NTP | 0x4000_0000L));
        assertEquals(0, NtpTime.toUnixMicros(NtpTime.UNIX_EPOCH_IN_NTP_SECONDS << 32));
        assertEquals(JAN_1_2024_NTP, NtpTime.fromUnixMicros(JAN_1_2024_MICROS));
        assertEquals(0x7F00_8000L, NtpTime.middle32(JAN_1_2024_NTP | 0x8000_0000L));
    }

    @Test
    void ntpEraOneAfter2036() {
        // NTP seconds wrap at 2036-02-07T06:28:16Z; 2040 has the top bit clear.
        long micros2040 = Instant.parse("2040-06-01T12:00:00Z").toEpochMilli() * 1000;
        long ntp = NtpTime.fromUnixMicros(micros2040);
        assertEquals(0, ntp >>> 63, "era 1 seconds are small numbers");
        assertEquals(micros2040, NtpTime.toUnixMicros(ntp));
        long justBeforeWrap = Instant.parse("2036-02-07T06:28:15Z").toEpochMilli() * 1000;
        assertEquals(0xFFFF_FFFFL, NtpTime.fromUnixMicros(justBeforeWrap) >>> 32);
        assertEquals(justBeforeWrap, NtpTime.toUnixMicros(NtpTime.fromUnixMicros(justBeforeWrap)));
        assertEquals(justBeforeWrap + 1_000_000, NtpTime.toUnixMicros(0));
    }

    @Test
    void roundTripsWithinAMicrosecond() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5905);
        for (int i = 0; i < 10_000; i++) {
            long micros = JAN_1_2024_MICROS + random.nextLong(0, 10L * 365 * 86_400_000_000L);
            long back = NtpTime.toUnixMicros(NtpTime.fromUnixMicros(micros));
            assertTrue(Math.abs(back - micros) <= 1, micros + " came back as " + back);
        }
    }

    @Test
    void cannotMapBeforeASenderReport() {
        WallClockMapper clock = new WallClockMapper(90_000);
        assertFalse(clock.canMap());
        assertEquals(WallClockMapper.NOT_MAPPED, clock.toUnixMicros(12345));
        clock.onSenderReport(0, 1000);
        assertFalse(clock.canMap(), "NTP 0 means the sender has no wall clock");
    }

    @Test
    void mapsRelativeToTheLatestReport() {
        WallClockMapper clock = new WallClockMapper(90_000);
        clock.onSenderReport(JAN_1_2024_NTP, 1_000_000);
        assertTrue(clock.canMap());
        assertEquals(JAN_1_2024_MICROS, clock.toUnixMicros(1_000_000));
        assertEquals(JAN_1_2024_MICROS + 1_000_000, clock.toUnixMicros(1_090_000));
        assertEquals(JAN_1_2024_MICROS + 33_333, clock.toUnixMicros(1_003_000), "one frame at 30 fps");
        assertEquals(JAN_1_2024_MICROS - 2_000_000, clock.toUnixMicros(820_000), "before the SR too");

        clock.onSenderReport(JAN_1_2024_NTP + (10L << 32), 1_900_000); // 10 s later, 900000 ticks later
        assertEquals(JAN_1_2024_MICROS + 10_000_000, clock.toUnixMicros(1_900_000));

        clock.reset();
        assertEquals(WallClockMapper.NOT_MAPPED, clock.toUnixMicros(1_900_000));
    }

    @Test
    void unwrappedTimestampsAcrossTheWrapMapByTheirLow32Bits() {
        WallClockMapper clock = new WallClockMapper(90_000);
        clock.onSenderReport(JAN_1_2024_NTP, 0xFFFF_FFFFL - 89_999); // one second before the wrap
        long unwrappedAfterWrap = (1L << 32) + 90_000; // one second after the wrap, unwrapped
        assertEquals(JAN_1_2024_MICROS + 2_000_000, clock.toUnixMicros(unwrappedAfterWrap));
        assertEquals(JAN_1_2024_MICROS + 2_000_000, clock.toUnixMicros(90_000), "or as the wire value");
        assertEquals(JAN_1_2024_MICROS + 2_000_000, clock.toUnixMicros((5L << 32) + 90_000),
                "only the low 32 bits count");
    }

    @Test
    void otherClockRates() {
        WallClockMapper audio = new WallClockMapper(8000);
        audio.onSenderReport(JAN_1_2024_NTP, 0);
        assertEquals(JAN_1_2024_MICROS + 125, audio.toUnixMicros(1));
        assertThrows(IllegalArgumentException.class, () -> new WallClockMapper(0));
    }
}
