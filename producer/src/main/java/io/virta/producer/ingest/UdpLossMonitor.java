package io.virta.producer.ingest;

/**
 * Watches the packet loss of a camera's RTP over UDP, sampled once a second, and says when it has
 * stayed above a threshold for a whole window: {@code transport: auto} then switches the camera to
 * TCP-interleaved, which cannot lose packets in transit (it delays them instead).
 *
 * <p>The loss ratio is lost / (received + lost) over the last {@code windowSeconds} samples. It must be
 * above the threshold, and loss must have happened in at least half of the window's seconds: a single
 * burst (a Wi-Fi hiccup) is not loss that stays. A window that is not yet full (a new session) never
 * triggers.
 * Nothing is allocated per sample. Use it from one thread (the camera's event loop).
 *
 * <pre>
 *   var monitor = new UdpLossMonitor(0.01, 10);            // 1 % over 10 s
 *   // every second while playing over UDP:
 *   if (monitor.sample(receiver.packetsReceived(), receiver.packetsLost())) switchToTcp(monitor.ratio());
 * </pre>
 */
final class UdpLossMonitor {
    private final double threshold;
    private final long[] received;
    private final long[] lost;
    private int samples;
    private double ratio;

    /**
     * @param threshold     the loss ratio (0..1) that must be exceeded over the whole window
     * @param windowSeconds samples in the window, one a second
     */
    UdpLossMonitor(double threshold, int windowSeconds) {
        if (threshold <= 0 || threshold >= 1 || windowSeconds < 1) {
            throw new IllegalArgumentException("threshold 0..1 and a window of at least 1 s, got " + threshold
                    + " and " + windowSeconds);
        }
        this.threshold = threshold;
        this.received = new long[windowSeconds + 1];
        this.lost = new long[windowSeconds + 1];
    }

    /** Forgets the samples: a new session starts. */
    void reset() {
        samples = 0;
        ratio = 0;
    }

    /**
     * Takes the running totals of packets received and lost; true when the loss over the last full
     * window is above the threshold.
     */
    boolean sample(long totalReceived, long totalLost) {
        int slot = samples % received.length;
        received[slot] = totalReceived;
        lost[slot] = totalLost;
        samples++;
        if (samples < received.length) {
            return false;
        }
        int oldest = samples % received.length;
        long got = totalReceived - received[oldest];
        long missing = totalLost - lost[oldest];
        ratio = got + missing == 0 ? 0 : (double) missing / (got + missing);
        int lossySeconds = 0;
        for (int i = 1; i < lost.length; i++) {
            int at = (oldest + i) % lost.length;
            int before = (oldest + i - 1) % lost.length;
            lossySeconds += lost[at] > lost[before] ? 1 : 0;
        }
        return ratio > threshold && 2 * lossySeconds >= lost.length - 1;
    }

    /** The loss ratio over the last full window; 0 before the window filled. */
    double ratio() {
        return ratio;
    }
}
