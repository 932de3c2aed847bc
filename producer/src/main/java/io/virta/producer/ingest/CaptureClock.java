package io.virta.producer.ingest;

import io.virta.producer.config.TimestampMode;

/**
 * Turns an access unit's RTP timestamp and arrival time into its capture time (µs since the Unix
 * epoch), by the stream's {@link TimestampMode}.
 *
 * <p>In {@link TimestampMode#SMART} mode capture times never go back, also when the server steps
 * its RTP clock back (VLC does about a second at every loop of a file): a unit more than
 * {@link #SMART_MAX_REORDER_MICROS} behind the newest RTP time seen is a step, not B-frame
 * reordering, and re-anchors the clock at its arrival, which comes after every capture time given
 * so far. Units behind the newest by less than that keep their spacing: in decode order a B-frame's
 * capture (presentation) time is earlier than the reference picture sent before it, by design.
 *
 * <p>One instance per session, used on its I/O thread; allocates nothing.
 */
public final class CaptureClock {
    /** Maps an unwrapped RTP timestamp to epoch µs through RTCP sender reports; {@link #UNKNOWN} before the first. */
    @FunctionalInterface
    public interface SenderReportMapping {
        long toEpochMicros(long rtpTimestamp);
    }

    public static final long UNKNOWN = Long.MIN_VALUE;
    /** SMART mode re-anchors when camera-derived time and arrival time differ by more than this. */
    public static final long SMART_MAX_DRIFT_MICROS = 2_000_000;
    /**
     * SMART mode takes a unit this far behind the newest RTP time seen as reordered (B-frames: even
     * 12 of them at 25 fps are 480 ms); further behind, the server stepped its clock back.
     */
    public static final long SMART_MAX_REORDER_MICROS = 500_000;

    private final TimestampMode mode;
    private final int clockRate;
    private final SenderReportMapping senderReports;
    private long anchorRtp;
    private long anchorMicros = UNKNOWN;
    /** The newest (highest) RTP time since the anchor: what "behind" is measured from. */
    private long newestRtp;
    private long reanchors;

    public CaptureClock(TimestampMode mode, int clockRate, SenderReportMapping senderReports) {
        this.mode = mode;
        this.clockRate = clockRate;
        this.senderReports = senderReports;
    }

    public long captureMicros(long rtpTimestamp, long arrivalMicros) {
        return switch (mode) {
            case ARRIVAL -> arrivalMicros;
            case CAMERA -> {
                long mapped = senderReports.toEpochMicros(rtpTimestamp);
                yield mapped == UNKNOWN ? arrivalMicros : mapped;
            }
            case SMART -> smart(rtpTimestamp, arrivalMicros);
        };
    }

    /**
     * Capture time = camera time elapsed since the anchor + the smallest offset seen between arrival
     * and camera time: the lower envelope of arrivals, so network jitter and bursts do not move the
     * timestamps. The offset creeps up by 1 µs per unit so a camera clock that runs slow is followed
     * (up to 25 ppm at 25 fps) rather than re-anchored.
     */
    private long smart(long rtpTimestamp, long arrivalMicros) {
        if (anchorMicros != UNKNOWN) {
            long behind = (newestRtp - rtpTimestamp) * 1_000_000L / clockRate;
            long elapsed = (rtpTimestamp - anchorRtp) * 1_000_000L / clockRate;
            long offset = arrivalMicros - elapsed;
            if (behind <= SMART_MAX_REORDER_MICROS && Math.abs(offset - anchorMicros) <= SMART_MAX_DRIFT_MICROS) {
                newestRtp = Math.max(newestRtp, rtpTimestamp);
                anchorMicros = Math.min(anchorMicros + 1, offset);
                return anchorMicros + elapsed;
            }
            reanchors++;
        }
        // Every capture time so far is at most its unit's arrival (the anchor is the lower envelope of
        // arrival minus camera time), so anchoring at this arrival never goes back.
        anchorRtp = rtpTimestamp;
        newestRtp = rtpTimestamp;
        anchorMicros = arrivalMicros;
        return arrivalMicros;
    }

    /**
     * How often SMART mode had to re-anchor (a camera clock running fast or slow, a server stepping
     * its RTP clock back, or a stream restart).
     */
    public long reanchors() {
        return reanchors;
    }

    /** Forget the anchor, for a new session whose RTP timestamps start anywhere. */
    public void reset() {
        anchorMicros = UNKNOWN;
    }
}
