package io.virta.worker;

/**
 * What a {@link FrameStream} has done so far.
 *
 * @param frames     frames handed to the worker
 * @param lost       frames the worker never saw although it was reading every one: it fell a whole ring
 *                   behind, or a frame was overwritten while it held it
 * @param overruns   times frames were lost (each loss is one overrun, however many frames it lost)
 * @param skipped    frames passed over on purpose by the rate limit ({@link FrameSource#fps})
 * @param timeouts   calls of {@link FrameStream#next} that returned no frame
 * @param reattaches times the stream moved to a new writer of its channel (a producer restart)
 */
public record StreamCounters(long frames, long lost, long overruns, long skipped, long timeouts, long reattaches) {
}
