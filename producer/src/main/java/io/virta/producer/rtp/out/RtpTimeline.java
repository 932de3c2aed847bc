package io.virta.producer.rtp.out;

/**
 * Maps a camera's RTP timestamps onto the one timeline an RTP sender keeps for its receivers. A
 * camera's timestamps start anywhere on every session, so a reconnect (or a codec change) would
 * look to a receiver like a jump of hours; instead the sender's timeline carries on one frame after
 * the last unit it sent. Within a session the camera's own spacing passes through unchanged, B-frame
 * reordering included.
 */
final class RtpTimeline {
    /** A step larger than this, either way, is a new session rather than the camera's own spacing. */
    private static final long MAX_STEP = 5L * 90_000;
    private static final long DEFAULT_FRAME = 90_000 / 25;

    private final long start;
    private boolean started;
    private boolean restartPending;
    private long offset;
    private long lastIn;
    private long lastOut;
    private long frame = DEFAULT_FRAME;

    /** @param start the first timestamp sent (random, RFC 3550 5.1) */
    RtpTimeline(long start) {
        this.start = start;
    }

    /** The next unit starts a new timeline segment whatever its timestamp. */
    void restart() {
        restartPending = true;
    }

    /** The sender's timestamp for a unit the camera stamped {@code cameraTimestamp}. */
    long map(long cameraTimestamp) {
        if (!started) {
            started = true;
            offset = start - cameraTimestamp;
        } else {
            long step = cameraTimestamp - lastIn;
            if (restartPending || step > MAX_STEP || step < -MAX_STEP) {
                offset = lastOut + frame - cameraTimestamp;
            } else if (step > 0) {
                frame = step;
            }
        }
        restartPending = false;
        lastIn = cameraTimestamp;
        lastOut = cameraTimestamp + offset;
        return lastOut;
    }
}
