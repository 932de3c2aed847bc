package io.virta.producer.source.ffmpeg;

/**
 * Turns a demuxer's packet timestamps (90 kHz, possibly missing) into one timeline that keeps
 * growing across loops, reopenings and timestamp jumps.
 *
 * <p>While nothing goes wrong the output is the input: a file's units carry the file's own
 * presentation times. Raw elementary streams ({@code .h264}) have no timestamps at all, so decode
 * times are counted on from the frame duration. After {@link #restart()} (a loop, a reopened input)
 * and after a jump of more than {@link #MAX_JUMP} either way (a camera clock reset, a gap in a
 * recording), the input is shifted to continue one frame after everything emitted so far.
 * Small steps back are normal (B-frames in presentation order, a demuxer's first guesses) and are
 * left alone.
 */
final class Timeline {
    static final long NONE = Long.MIN_VALUE;
    /** 5 s at 90 kHz. */
    static final long MAX_JUMP = 5 * 90_000L;

    private long offset;
    private boolean restartPending;
    private long firstTime;
    private long frameDuration = 3600;
    private long lastRawDecode = NONE;
    private long lastOutDecode = NONE;
    private long maxOutPts = NONE;
    private long discontinuities;

    private long outDecode;
    private long outPts;

    /** The frame duration to assume until packets tell: from the stream's frame rate. */
    void defaultFrameDuration(long ticks) {
        if (ticks > 0) {
            frameDuration = ticks;
        }
    }

    /** Where a stream without timestamps starts (a raw stream sought to its keyframe); 0 otherwise. */
    void firstTime(long ticks) {
        firstTime = ticks;
    }

    /** The next packet continues one frame after everything emitted so far. */
    void restart() {
        restartPending = true;
        lastRawDecode = NONE;
        firstTime = 0;
    }

    /** Takes the next packet's times, in decode order; {@link #NONE} where the demuxer has none. */
    void next(long rawPts, long rawDts, long rawDuration) {
        if (rawDuration > 0 && rawDuration < MAX_JUMP) {
            frameDuration = rawDuration;
        }
        long decode;
        if (rawDts != NONE) {
            decode = rawDts;
        } else if (lastRawDecode != NONE) {
            decode = lastRawDecode + frameDuration;
        } else {
            decode = rawPts != NONE ? rawPts : firstTime;
        }
        long pts = rawPts != NONE ? rawPts : decode;
        if (restartPending) {
            restartPending = false;
            if (lastOutDecode != NONE) {
                offset = continuation(decode, pts);
            }
        } else if (lastOutDecode != NONE) {
            long step = decode + offset - lastOutDecode;
            if (step > MAX_JUMP || step < -MAX_JUMP) {
                offset = continuation(decode, pts);
                discontinuities++;
            }
        }
        lastRawDecode = decode;
        outDecode = decode + offset;
        outPts = pts + offset;
        lastOutDecode = outDecode;
        maxOutPts = maxOutPts == NONE ? outPts : Math.max(maxOutPts, outPts);
    }

    /** The offset that puts a packet one frame after both the last decode time and the latest presentation time. */
    private long continuation(long decode, long pts) {
        return Math.max(lastOutDecode + frameDuration - decode, maxOutPts + frameDuration - pts);
    }

    /** The last packet's decode time on the continuous timeline: what real-time pacing follows. */
    long decodeTime() {
        return outDecode;
    }

    /** The last packet's presentation time on the continuous timeline: its RTP timestamp. */
    long presentationTime() {
        return outPts;
    }

    /** Jumps that were smoothed over (not counting restarts). */
    long discontinuities() {
        return discontinuities;
    }
}
