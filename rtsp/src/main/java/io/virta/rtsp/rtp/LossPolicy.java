package io.virta.rtsp.rtp;

/**
 * What a depacketizer does with access units that packet loss touched (a camera's {@code onLoss}
 * setting).
 */
public enum LossPolicy {
    /**
     * Pass them on flagged damaged: a unit with packets missing goes to the decoder with what arrived
     * (a fragment cut short at the gap ends its NAL unit there), and every unit after it is flagged too,
     * until the next whole keyframe. The decoder conceals the holes; the video keeps moving.
     */
    CONCEAL,
    /** Drop them: a unit with packets missing and every unit after it, until the next keyframe. */
    DROP
}
