package io.virta.rtsp.rtcp;

/**
 * 64-bit NTP timestamps (RFC 5905): seconds since 1900-01-01 UTC in the high 32 bits, the binary
 * fraction of a second in the low 32.
 */
public final class NtpTime {
    /** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01). */
    public static final long UNIX_EPOCH_IN_NTP_SECONDS = 2_208_988_800L;

    private static final long ERA_SECONDS = 1L << 32;
    private static final long MICROS_PER_SECOND = 1_000_000L;

    private NtpTime() {
    }

    /**
     * Microseconds since the Unix epoch (rounded down). The 32-bit seconds wrap on 2036-02-07, so,
     * as RFC 4330 section 3 suggests, a value with the top bit clear is read as era 1
     * (2036-2104), one with it set as era 0 (1968-2036).
     */
    public static long toUnixMicros(long ntpTimestamp) {
        long seconds = ntpTimestamp >>> 32;
        long fraction = ntpTimestamp & 0xffff_ffffL;
        if ((seconds & 0x8000_0000L) == 0) {
            seconds += ERA_SECONDS;
        }
        return (seconds - UNIX_EPOCH_IN_NTP_SECONDS) * MICROS_PER_SECOND + ((fraction * MICROS_PER_SECOND) >>> 32);
    }

    /** The NTP timestamp of a Unix time in microseconds (rounded to the nearest fraction), for 1968-2104. */
    public static long fromUnixMicros(long unixMicros) {
        long seconds = Math.floorDiv(unixMicros, MICROS_PER_SECOND) + UNIX_EPOCH_IN_NTP_SECONDS;
        long micros = Math.floorMod(unixMicros, MICROS_PER_SECOND);
        long fraction = ((micros << 32) + MICROS_PER_SECOND / 2) / MICROS_PER_SECOND;
        return ((seconds & 0xffff_ffffL) << 32) + fraction;
    }

    /** The middle 32 bits, as RTCP's LSR field carries them: 16 bits of seconds, 16 of fraction. */
    public static long middle32(long ntpTimestamp) {
        return (ntpTimestamp >>> 16) & 0xffff_ffffL;
    }
}
