package io.virta.producer.ingest;

import io.virta.producer.config.TimestampMode;

/**
 * Turns an access unit's RTP timestamp and arrival time into its capture time (µs since the Unix
 * epoch), by the stream's {@link TimestampMode}.
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

    private final TimestampMode mode;
    private final int clockRate;
    private final SenderReportMapping senderReports;
    private long anchorRtp;
    private long anchorMicros = UNKNOWN;
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
            long elapsed = (rtpTimestamp - anchorRtp) * 1_000_000L / clockRate;
            long offset = arrivalMicros - elapsed;
            if (Math.abs(offset - anchorMicros) <= SMART_MAX_DRIFT_MICROS) {
                anchorMicros = Math.min(anchorMicros + 1, offset);
                return anchorMicros + elapsed;
            }
            reanchors++;
        }
        anchorRtp = rtpTimestamp;
        anchorMicros = arrivalMicros;
        return arrivalMicros;
    }

    /** How often SMART mode had to re-anchor (a camera clock running fast or slow, or a stream restart). */
    public long reanchors() {
        return reanchors;
    }

    /** Forget the anchor, for a new session whose RTP timestamps start anywhere. */
    public void reset() {
        anchorMicros = UNKNOWN;
    }
}
