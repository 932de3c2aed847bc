package io.virta.recorder.store;

import java.time.Duration;

/**
 * How a camera's frames are cut into segments and how often they are forced to the disk
 * (docs/recording-format.md sections 5.2 and 5.3).
 *
 * @param segmentBytes  space preallocated per segment; a larger frame gets a segment of its own size
 * @param segmentTime   a new segment starts at the first keyframe after this much capture time
 * @param sync          {@code syncSeconds}: the longest time between two forces; what a power cut can lose
 * @param maxGap        a jump in capture time longer than this (either way) starts a new segment at
 *                      the next keyframe, and marks a gap between spans
 */
public record SegmentPolicy(long segmentBytes, Duration segmentTime, Duration sync, Duration maxGap) {
    /** 64 MiB (about 2 minutes at 4 Mbit/s), 60 s, 1 s, 2 s. */
    public static final SegmentPolicy DEFAULT = new SegmentPolicy(64L << 20, Duration.ofSeconds(60),
            Duration.ofSeconds(1), Duration.ofSeconds(2));

    public SegmentPolicy {
        if (segmentBytes < 1 << 16) {
            throw new IllegalArgumentException("segments of " + segmentBytes + " bytes; give at least 64 KiB");
        }
        if (segmentTime.isNegative() || segmentTime.toNanos() / 1000 > io.virta.recorder.format.StoreLayout.MAX_SEGMENT_MICROS) {
            throw new IllegalArgumentException("segment time " + segmentTime + "; give at most one hour");
        }
        if (sync.isNegative() || maxGap.isNegative()) {
            throw new IllegalArgumentException("negative sync interval " + sync + " or gap " + maxGap);
        }
    }

    public SegmentPolicy withSync(Duration interval) {
        return new SegmentPolicy(segmentBytes, segmentTime, interval, maxGap);
    }

    public SegmentPolicy withSegmentBytes(long bytes) {
        return new SegmentPolicy(bytes, segmentTime, sync, maxGap);
    }
}
