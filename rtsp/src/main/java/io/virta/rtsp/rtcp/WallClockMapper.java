package io.virta.rtsp.rtcp;

/**
 * Maps a stream's RTP timestamps to wall-clock time, using the NTP/RTP timestamp pair of the
 * latest Sender Report (RFC 3550 6.4.1): {@code unix(rtp) = unix(sr.ntp) + (rtp - sr.rtp) / clockRate}.
 * Before the first SR it cannot map, and says so with {@link #NOT_MAPPED}.
 *
 * <p>Only the distance between a timestamp and the SR's, taken modulo 2^32 as a signed number,
 * matters: so an unwrapped 64-bit timestamp maps correctly as long as its low 32 bits are the
 * wire value and it lies within 2^31 ticks (6.6 hours at 90 kHz) of the latest SR.
 */
public final class WallClockMapper {
    /** What {@link #toUnixMicros} returns before any usable Sender Report. */
    public static final long NOT_MAPPED = Long.MIN_VALUE;

    private final int clockRate;
    private boolean mapped;
    private long reportRtpTimestamp;
    private long reportUnixMicros;

    /** @param clockRate the stream's RTP clock in Hz, e.g. 90000 for video */
    public WallClockMapper(int clockRate) {
        if (clockRate <= 0) {
            throw new IllegalArgumentException("clock rate must be positive, not " + clockRate);
        }
        this.clockRate = clockRate;
    }

    /**
     * Takes a Sender Report's timestamps. An NTP timestamp of 0 means the sender has no wall clock
     * (RFC 3550 6.4.1) and is ignored.
     */
    public void onSenderReport(long ntpTimestamp, long rtpTimestamp) {
        if (ntpTimestamp == 0) {
            return;
        }
        reportRtpTimestamp = rtpTimestamp & 0xffff_ffffL;
        reportUnixMicros = NtpTime.toUnixMicros(ntpTimestamp);
        mapped = true;
    }

    /** Whether a Sender Report has arrived, so {@link #toUnixMicros} gives real times. */
    public boolean canMap() {
        return mapped;
    }

    /** The Unix time in microseconds at which the sender sampled {@code rtpTimestamp}, or {@link #NOT_MAPPED}. */
    public long toUnixMicros(long rtpTimestamp) {
        if (!mapped) {
            return NOT_MAPPED;
        }
        int ticks = (int) (rtpTimestamp - reportRtpTimestamp);
        return reportUnixMicros + Math.floorDiv(ticks * 1_000_000L, clockRate);
    }

    /** Forgets the mapping, e.g. when the source restarts. */
    public void reset() {
        mapped = false;
    }
}
