package io.virta.worker.motion;

import io.virta.worker.Region;
import io.virta.worker.WorkerArguments;

import java.util.List;

/**
 * Settings of the motion detector.
 *
 * @param minArea   smallest moving region reported, as a fraction of the picture (default 0.002: about
 *                  21x21 pixels at 640x360); smaller changes are noise
 * @param threshold how much a pixel's grey level (0..255, after blurring) must change to count as moving
 *                  (default 25)
 * @param ignore    areas masked out before anything else (a burned-in clock, a flag in the wind)
 */
public record MotionOptions(double minArea, int threshold, List<Region> ignore) {
    public static final double DEFAULT_MIN_AREA = 0.002;
    public static final int DEFAULT_THRESHOLD = 25;

    public MotionOptions {
        if (!(minArea >= 0 && minArea <= 1)) {
            throw new IllegalArgumentException("--min-area: " + minArea + " is outside [0, 1] (a fraction of the picture)");
        }
        if (threshold < 1 || threshold > 254) {
            throw new IllegalArgumentException("--threshold: " + threshold + " is outside 1..254 (grey levels)");
        }
        ignore = List.copyOf(ignore);
    }

    public static MotionOptions defaults() {
        return new MotionOptions(DEFAULT_MIN_AREA, DEFAULT_THRESHOLD, List.of());
    }

    /** From {@code virta worker}'s options: {@code --min-area}, {@code --threshold}, {@code --ignore} (repeatable). */
    public static MotionOptions from(WorkerArguments args) {
        double threshold = args.decimal("threshold", DEFAULT_THRESHOLD);
        if (threshold != Math.rint(threshold)) {
            throw new IllegalArgumentException("--threshold: " + threshold + " is not a whole number of grey levels");
        }
        return new MotionOptions(args.decimal("min-area", DEFAULT_MIN_AREA), (int) threshold, args.regions("ignore"));
    }
}
