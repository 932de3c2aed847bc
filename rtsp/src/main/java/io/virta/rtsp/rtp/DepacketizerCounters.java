package io.virta.rtsp.rtp;

/**
 * What a depacketizer has done with its stream so far. Read it from the depacketizer's thread (the
 * fields are plain, for speed), or accept slightly stale values from another.
 */
public final class DepacketizerCounters {
    private static final DepacketizerError[] ERRORS = DepacketizerError.values();

    long packets;
    long unitsEmitted;
    long unitsDamaged;
    long droppedIncomplete;
    long droppedWaitingForKeyframe;
    long droppedTooLarge;
    long droppedNoParameterSets;
    long unitsWithoutPicture;
    long lossEvents;
    long parameterSetsInserted;
    long duplicateParameterSetsRemoved;
    private final long[] errors = new long[ERRORS.length];
    private DepacketizerError lastError;

    DepacketizerCounters() {
    }

    void error(DepacketizerError kind) {
        errors[kind.ordinal()]++;
        lastError = kind;
    }

    /** RTP packets handed to the depacketizer. */
    public long packets() {
        return packets;
    }

    /** Access units delivered to the listener; also the last {@code AccessUnit.sequence()} given. */
    public long unitsEmitted() {
        return unitsEmitted;
    }

    /**
     * Units delivered although a loss touched them or a unit they refer to (conceal mode): from a unit
     * with missing packets to the next whole keyframe. Included in {@link #unitsEmitted()}.
     */
    public long unitsDamaged() {
        return unitsDamaged;
    }

    /** Access units not delivered, for any of the reasons below. */
    public long unitsDropped() {
        return droppedIncomplete + droppedWaitingForKeyframe + droppedTooLarge + droppedNoParameterSets;
    }

    /** Units with a packet or fragment missing, or a malformed payload. */
    public long droppedIncomplete() {
        return droppedIncomplete;
    }

    /** Complete units that could not be decoded because an earlier one was lost: waiting for a keyframe. */
    public long droppedWaitingForKeyframe() {
        return droppedWaitingForKeyframe;
    }

    /** Units larger than the depacketizer's buffer. */
    public long droppedTooLarge() {
        return droppedTooLarge;
    }

    /** Keyframes that came before any SPS/PPS (and VPS for H265) was known, in-band or from the SDP. */
    public long droppedNoParameterSets() {
        return droppedNoParameterSets;
    }

    /**
     * Units with no picture in them (only parameter sets or SEI, say, which some cameras send under a
     * timestamp of their own); not delivered, not counted as dropped. Their parameter sets are kept.
     */
    public long unitsWithoutPicture() {
        return unitsWithoutPicture;
    }

    /** Gaps in the packet sequence (each gap once, however many packets it spans). */
    public long lossEvents() {
        return lossEvents;
    }

    /** Remembered parameter sets placed in front of keyframes that came without them. */
    public long parameterSetsInserted() {
        return parameterSetsInserted;
    }

    /** Repeated copies of a parameter set removed from within one unit. */
    public long duplicateParameterSetsRemoved() {
        return duplicateParameterSetsRemoved;
    }

    public long errors(DepacketizerError kind) {
        return errors[kind.ordinal()];
    }

    /** All payload errors of every kind. */
    public long errors() {
        long total = 0;
        for (long count : errors) {
            total += count;
        }
        return total;
    }

    /** The most recent payload error; null if none yet. */
    public DepacketizerError lastError() {
        return lastError;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder()
                .append("packets=").append(packets)
                .append(" emitted=").append(unitsEmitted)
                .append(" damaged=").append(unitsDamaged)
                .append(" droppedIncomplete=").append(droppedIncomplete)
                .append(" droppedWaitingForKeyframe=").append(droppedWaitingForKeyframe)
                .append(" droppedTooLarge=").append(droppedTooLarge)
                .append(" droppedNoParameterSets=").append(droppedNoParameterSets)
                .append(" withoutPicture=").append(unitsWithoutPicture)
                .append(" lossEvents=").append(lossEvents)
                .append(" parameterSetsInserted=").append(parameterSetsInserted)
                .append(" duplicateParameterSetsRemoved=").append(duplicateParameterSetsRemoved);
        for (DepacketizerError kind : ERRORS) {
            if (errors[kind.ordinal()] > 0) {
                text.append(' ').append(kind).append('=').append(errors[kind.ordinal()]);
            }
        }
        return text.toString();
    }
}
