package io.virta.recorder.export;

/**
 * Where the bytes of an export come from: {@code head} (metadata before the first sample), then for each
 * frame its {@code prelude} (bytes in front of the sample, as Matroska's block headers; empty in an MP4)
 * and its sample (the NAL units from the segment file, each behind its 4-byte length), then {@code tail}.
 *
 * @param preludeStart for frame {@code i}, its prelude is {@code preludes[preludeStart[i], preludeStart[i+1])}
 */
record Layout(byte[] head, byte[] preludes, int[] preludeStart, byte[] tail) {

    int preludeLength(int frame) {
        return preludeStart[frame + 1] - preludeStart[frame];
    }

    /**
     * Decode times of the frames in {@code unitsPerSecond} from the first frame, strictly increasing, and
     * no step longer than {@code maxStep} (an MP4's durations are 32-bit: 13 h at 90 kHz).
     */
    static long[] ticks(FrameTable frames, long unitsPerSecond, long maxStep) {
        long[] ticks = new long[frames.size()];
        long origin = frames.captureMicros(0);
        for (int i = 1; i < ticks.length; i++) {
            long micros = frames.captureMicros(i) - origin; // a recorded time is any i64: split it so nothing overflows
            long tick = Math.floorDiv(micros, 1_000_000) * unitsPerSecond
                    + Math.floorDiv(Math.floorMod(micros, 1_000_000) * unitsPerSecond + 500_000, 1_000_000);
            // a camera clock that stood still or stepped back must not make a zero or negative duration
            ticks[i] = Math.min(Math.max(tick, ticks[i - 1] + 1), ticks[i - 1] + maxStep);
        }
        return ticks;
    }

    /**
     * The duration of the last frame, which has no successor to measure by: the last interval between
     * frames that is no gap, or 40 ms (25 fps) when there is none.
     */
    static long lastDuration(FrameTable frames, long[] ticks, long gapMicros, long unitsPerSecond) {
        for (int i = frames.size() - 1; i > 0; i--) {
            if (frames.captureMicros(i) - frames.captureMicros(i - 1) <= gapMicros && !frames.isAfterDrop(i)) {
                return ticks[i] - ticks[i - 1];
            }
        }
        return Math.max(1, unitsPerSecond / 25);
    }
}
