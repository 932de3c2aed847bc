package io.virta.producer.config;

/** Where a frame's capture time comes from. */
public enum TimestampMode {
    /** The camera's clock, through RTCP sender reports (RTP time to NTP time); arrival time until the first report. */
    CAMERA,
    /**
     * The camera's frame spacing, anchored to this host's clock: immune to a camera whose clock is
     * wrong, and re-anchored when it drifts more than 2 s from arrival time (libValkka's "smart" mode),
     * or when the camera steps its RTP clock back: capture times never go back (see {@code CaptureClock}).
     */
    SMART,
    /** When the frame's last packet arrived here. */
    ARRIVAL
}
