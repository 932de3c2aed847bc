package io.virta.rtsp.rtp;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.NalRole;
import io.virta.rtsp.media.VideoCodec;

import java.nio.ByteBuffer;

/**
 * The codec-independent half of an RTP video depacketizer: it builds access units out of NAL units and
 * decides which of them a decoder can use. The H264 and H265 depacketizers parse their payload formats
 * and call it once per packet ({@link #beginPacket} ... {@link #endPacket}) with each NAL unit, whole
 * ({@link #completeNal}) or in fragments ({@link #beginFragmentedNal}, {@link #appendFragment},
 * {@link #endFragmentedNal}), and the {@link NalRole} the NAL unit plays.
 *
 * <p>What it does:
 * <ul>
 *   <li><b>Assembly.</b> NAL units are written once, each behind a 4-byte start code, into one direct
 *       buffer reserved up front; a unit that does not fit is dropped and counted.</li>
 *   <li><b>Boundaries.</b> A unit ends at the marker bit, at a change of RTP timestamp (for cameras
 *       that never set the marker, at the cost of one frame of latency), or at an access unit
 *       delimiter. Several slices under one timestamp stay in one unit.</li>
 *   <li><b>Loss, {@link LossPolicy#DROP}.</b> A sequence gap, {@link #onLoss}, a fragment whose start or
 *       end is missing, or a malformed payload drops the unit it touches; after that every unit is dropped
 *       until a keyframe, since the pictures in between refer to the lost one. The stream also starts out
 *       waiting for a keyframe. When the gap falls between two units, the next unit is kept only if its
 *       first slice is the first slice of its picture (or it begins with a delimiter): parameter sets lost
 *       with its head are put back from memory.</li>
 *   <li><b>Loss, {@link LossPolicy#CONCEAL}.</b> Once a whole keyframe has been emitted, the same events
 *       mark units {@linkplain AccessUnit#isDamaged() damaged} instead: the unit keeps the NAL units that
 *       arrived (a fragmented one cut at the gap ends there; a parameter set with a piece missing is left
 *       out), and it and every unit after it are emitted flagged, until the next keyframe that arrives
 *       whole. Before the first keyframe, and for units too large, units are dropped as with DROP.</li>
 *   <li><b>Parameter sets.</b> The latest of each kind seen in-band (or given from the SDP) is
 *       remembered. A keyframe unit that lacks one gets the remembered copy, after the unit's delimiter
 *       and leading parameter sets but before its SEI and slices, in VPS/SPS/PPS order; a byte-identical
 *       repeat within one unit is removed. A keyframe before any is known is dropped.</li>
 * </ul>
 * Emitted units number 1, 2, 3... without gaps; drops are counted in {@link #counters()}.
 *
 * <p>Nothing is allocated per packet or per unit; the remembered parameter sets grow only when a
 * larger one arrives. Use it from one thread.
 */
public final class AccessUnitAssembler {
    private static final int START_CODE_LENGTH = 4;
    private static final int PARAMETER_SET_KINDS = 3;
    private static final int MAX_RECORDED_PARAMETER_SETS = 16;

    private final VideoCodec codec;
    private final AccessUnitListener listener;
    private final ByteBuffer out;
    private final AccessUnit unit;
    private final int capacity;
    private final int requiredParameterSets;
    private final LossPolicy lossPolicy;
    private final TimestampUnwrapper timestamps = new TimestampUnwrapper();
    private final DepacketizerCounters counters = new DepacketizerCounters();

    private final byte[][] remembered = new byte[PARAMETER_SET_KINDS][];
    private final int[] rememberedLength = {-1, -1, -1};

    // Stream state.
    private boolean haveExpectedSequence;
    private int expectedSequence;
    private boolean lossPending;
    private boolean waitingForKeyframe = true;
    /** CONCEAL: a loss touched the stream since the last whole keyframe; units are flagged damaged. */
    private boolean damagedUntilKeyframe;
    /** Set by a gap (and at the start, when we join mid-stream): the next unit's first packets may be gone. */
    private boolean nextUnitHeadUncertain = true;
    private long arrivalTimeMicros;
    private long packetTimestamp;

    // The unit being assembled.
    private boolean unitOpen;
    private long unitTimestamp;
    private long unitUnwrappedTimestamp;
    private long unitArrivalMicros;
    private int writePosition;
    private boolean unitHasNal;
    private boolean headUncertain;
    private boolean broken;
    /** CONCEAL: a loss touched this unit; it is emitted with what arrived, flagged damaged. */
    private boolean unitDamaged;
    private boolean tooLarge;
    private boolean discarding;
    private boolean sawSlice;
    private boolean keyframe;
    private boolean parameterSetsChecked;
    private boolean missingParameterSets;
    /** Where remembered parameter sets go: after the delimiter and parameter sets that lead the unit. */
    private int insertPoint;
    private int parameterSetsPresent;
    private final int[] recordOffset = new int[MAX_RECORDED_PARAMETER_SETS];
    private final int[] recordLength = new int[MAX_RECORDED_PARAMETER_SETS];
    private final int[] recordRank = new int[MAX_RECORDED_PARAMETER_SETS];
    private int recordCount;

    // The NAL unit being written.
    private boolean fragmentOpen;
    private int openFragmentHeader;
    private NalRole nalRole;
    private boolean nalWriting;
    /** False once a fragment of it may be missing: then it must not be remembered as a parameter set. */
    private boolean nalIntact;
    private int nalStart;

    /**
     * @param maxUnitSize the largest access unit, in bytes: reserved up front as one direct buffer
     */
    public AccessUnitAssembler(VideoCodec codec, int maxUnitSize, AccessUnitListener listener) {
        this(codec, allocateUnit(maxUnitSize), LossPolicy.DROP, listener);
    }

    /**
     * @param maxUnitSize the largest access unit, in bytes: reserved up front as one direct buffer
     * @param lossPolicy  what happens to units that packet loss touched
     */
    public AccessUnitAssembler(VideoCodec codec, int maxUnitSize, LossPolicy lossPolicy, AccessUnitListener listener) {
        this(codec, allocateUnit(maxUnitSize), lossPolicy, listener);
    }

    /** A unit whose buffer holds access units of up to {@code maxUnitSize} bytes, for the constructor that takes one. */
    public static AccessUnit allocateUnit(int maxUnitSize) {
        if (maxUnitSize < 64) {
            throw new IllegalArgumentException("maxUnitSize must be at least 64 bytes, got " + maxUnitSize);
        }
        return AccessUnit.allocate(maxUnitSize);
    }

    /**
     * Assembles into {@code unit}, whose buffer's capacity is the largest access unit. An owner that
     * starts a new assembler per RTSP session passes the same unit to each: the old assembler must no
     * longer be used, and a reconnect allocates no new buffer (a direct buffer's native memory is
     * only returned when a GC collects it, which a daemon that allocates nothing may not run for hours).
     *
     * @param lossPolicy what happens to units that packet loss touched
     */
    public AccessUnitAssembler(VideoCodec codec, AccessUnit unit, LossPolicy lossPolicy, AccessUnitListener listener) {
        if (codec == null || unit == null || lossPolicy == null || listener == null) {
            throw new IllegalArgumentException("codec, unit, lossPolicy and listener are required");
        }
        if (unit.data().capacity() < 64) {
            throw new IllegalArgumentException("maxUnitSize must be at least 64 bytes, got " + unit.data().capacity());
        }
        this.codec = codec;
        this.lossPolicy = lossPolicy;
        this.listener = listener;
        this.unit = unit;
        this.out = unit.data();
        this.capacity = out.capacity();
        this.requiredParameterSets = codec == VideoCodec.H265 ? 0b111 : 0b110;
        for (int kind = 0; kind < PARAMETER_SET_KINDS; kind++) {
            remembered[kind] = new byte[256];
        }
    }

    public DepacketizerCounters counters() {
        return counters;
    }

    /** True from the start and after a loss, until a keyframe is emitted. */
    public boolean waitingForKeyframe() {
        return waitingForKeyframe;
    }

    /** The arrival time copied into units completed from the next packets (µs since the Unix epoch). */
    public void setArrivalTimeMicros(long micros) {
        arrivalTimeMicros = micros;
    }

    /** Remembers {@code nal[offset, offset + length)} (header included, no start code) as the latest of its kind. */
    public void rememberParameterSet(NalRole role, byte[] nal, int offset, int length) {
        if (!role.isParameterSet()) {
            throw new IllegalArgumentException(role + " is not a parameter set");
        }
        int kind = role.parameterSetRank();
        if (remembered[kind].length < length) {
            remembered[kind] = new byte[length];
        }
        System.arraycopy(nal, offset, remembered[kind], 0, length);
        rememberedLength[kind] = length;
    }

    /**
     * Starts a packet: checks its sequence number for a gap, and ends the current unit if the timestamp
     * changed. Call before the packet's NAL units, and {@link #endPacket} after them.
     */
    public void beginPacket(int sequenceNumber, long timestamp) {
        counters.packets++;
        if (haveExpectedSequence && sequenceNumber != expectedSequence && !lossPending) {
            lossPending = true;
            counters.lossEvents++;
        }
        haveExpectedSequence = true;
        expectedSequence = (sequenceNumber + 1) & 0xffff;
        if (lossPending) {
            lossPending = false;
            if (unitOpen) {
                // Same timestamp: its middle is gone. New timestamp: its tail may be.
                markIncomplete();
                if (concealing() && fragmentOpen) {
                    // The fragmented NAL unit ends at the gap: what follows it belongs elsewhere in it.
                    fragmentOpen = false;
                    endNal();
                }
            }
            referenceLost();
            if (!unitOpen || timestamp != unitTimestamp) {
                nextUnitHeadUncertain = true;
            }
        }
        if (unitOpen && timestamp != unitTimestamp) {
            finishUnit();
        }
        packetTimestamp = timestamp;
        if (!unitOpen) {
            openUnit(timestamp);
        }
        unitArrivalMicros = arrivalTimeMicros;
    }

    /** Ends a packet; its marker bit ends the unit. */
    public void endPacket(boolean marker) {
        if (marker) {
            finishUnit();
        }
    }

    /** Packets were lost before the next one (as a {@link Reorderer} reports). */
    public void onLoss() {
        if (!lossPending) {
            lossPending = true;
            counters.lossEvents++;
        }
    }

    /**
     * Counts a payload error; one that {@linkplain DepacketizerError#losesData() loses data} drops the
     * current unit. Fragment inconsistencies in a unit already broken by a sequence gap, or at the head
     * of the first unit after one (or after joining the stream), are the gap's doing and are not counted.
     */
    public void error(DepacketizerError kind) {
        boolean explainedByGap = (broken || unitDamaged || headUncertain) && (kind == DepacketizerError.FRAGMENT_WITHOUT_START
                || kind == DepacketizerError.FRAGMENT_NOT_ENDED
                || kind == DepacketizerError.FRAGMENT_TYPE_MISMATCH);
        if (!explainedByGap) {
            counters.error(kind);
        }
        if (kind.losesData()) {
            markIncomplete();
        }
    }

    /** Ends the stream: the unit in progress is emitted if it is complete (a marker-less camera's last one). */
    public void flush() {
        finishUnit();
    }

    /**
     * One whole NAL unit, {@code src[offset, offset + length)} with its header. {@code firstSliceOfPicture}
     * matters only for slices: whether the slice header says it starts its picture.
     */
    public void completeNal(ByteBuffer src, int offset, int length, NalRole role, boolean firstSliceOfPicture) {
        beginNal(role, firstSliceOfPicture);
        append(src, offset, length);
        endNal();
    }

    /**
     * Starts a fragmented NAL unit with its reconstructed header: {@code headerLength} (1 or 2) bytes,
     * big-endian in {@code header}.
     */
    public void beginFragmentedNal(int header, int headerLength, NalRole role, boolean firstSliceOfPicture) {
        beginNal(role, firstSliceOfPicture);
        fragmentOpen = true;
        openFragmentHeader = header;
        if (nalWriting && reserve(headerLength)) {
            for (int i = headerLength - 1; i >= 0; i--) {
                out.put(writePosition++, (byte) (header >>> (8 * i)));
            }
        }
    }

    /** Whether a fragmented NAL unit has started and not yet ended. */
    public boolean fragmentOpen() {
        return fragmentOpen;
    }

    /** The header given to {@link #beginFragmentedNal} for the open fragmented NAL unit. */
    public int openFragmentHeader() {
        return openFragmentHeader;
    }

    public void appendFragment(ByteBuffer src, int offset, int length) {
        append(src, offset, length);
    }

    public void endFragmentedNal() {
        fragmentOpen = false;
        endNal();
    }

    private void openUnit(long timestamp) {
        unitOpen = true;
        unitTimestamp = timestamp;
        unitUnwrappedTimestamp = timestamps.unwrap(timestamp);
        writePosition = 0;
        unitHasNal = false;
        headUncertain = nextUnitHeadUncertain;
        nextUnitHeadUncertain = false;
        broken = false;
        unitDamaged = false;
        tooLarge = false;
        discarding = false;
        sawSlice = false;
        keyframe = false;
        parameterSetsChecked = false;
        missingParameterSets = false;
        insertPoint = 0;
        parameterSetsPresent = 0;
        recordCount = 0;
        fragmentOpen = false;
        out.clear();
    }

    private void beginNal(NalRole role, boolean firstSliceOfPicture) {
        if (fragmentOpen) {
            fragmentOpen = false;
            error(DepacketizerError.FRAGMENT_NOT_ENDED);
        }
        if (!unitOpen) {
            openUnit(packetTimestamp);
        }
        if (role == NalRole.ACCESS_UNIT_DELIMITER) {
            if (unitHasNal) {
                finishUnit();
                openUnit(packetTimestamp);
            }
            headUncertain = false;
        }
        if (role.isSlice()) {
            beginSlice(role, firstSliceOfPicture);
        }
        unitHasNal = true;
        nalRole = role;
        nalIntact = true;
        nalStart = writePosition;
        nalWriting = !tooLarge && (role.isParameterSet() || !(broken || discarding));
        if (nalWriting && reserve(START_CODE_LENGTH)) {
            out.put(writePosition, (byte) 0).put(writePosition + 1, (byte) 0)
                    .put(writePosition + 2, (byte) 0).put(writePosition + 3, (byte) 1);
            writePosition += START_CODE_LENGTH;
        }
    }

    private void beginSlice(NalRole role, boolean firstSliceOfPicture) {
        if (!sawSlice) {
            sawSlice = true;
            if (headUncertain && !firstSliceOfPicture) {
                markIncomplete();
            }
            headUncertain = false;
            if (waitingForKeyframe && role != NalRole.KEYFRAME_SLICE) {
                // Dropped anyway: stop copying it.
                discarding = true;
            }
        }
        if (role == NalRole.KEYFRAME_SLICE) {
            keyframe = true;
            if (!parameterSetsChecked) {
                parameterSetsChecked = true;
                if (!(broken || discarding || tooLarge)) {
                    ensureParameterSets();
                }
            }
        }
    }

    private void append(ByteBuffer src, int offset, int length) {
        if (nalWriting && reserve(length)) {
            out.put(writePosition, src, offset, length);
            writePosition += length;
        }
    }

    private void endNal() {
        if (!nalWriting) {
            return;
        }
        if (nalRole.isParameterSet()) {
            endParameterSet();
        } else if (nalRole == NalRole.ACCESS_UNIT_DELIMITER && !sawSlice) {
            insertPoint = writePosition;
        }
    }

    private void endParameterSet() {
        int rank = nalRole.parameterSetRank();
        int bodyStart = nalStart + START_CODE_LENGTH;
        int bodyLength = writePosition - bodyStart;
        if (nalIntact) {
            rememberFromUnit(rank, bodyStart, bodyLength);
        }
        if (broken || discarding || !nalIntact) {
            // Written only to be remembered (or, cut short by a loss, not even that).
            writePosition = nalStart;
            return;
        }
        for (int i = 0; i < recordCount; i++) {
            if (recordRank[i] == rank && recordLength[i] == bodyLength + START_CODE_LENGTH
                    && sameBytes(recordOffset[i] + START_CODE_LENGTH, bodyStart, bodyLength)) {
                writePosition = nalStart;
                counters.duplicateParameterSetsRemoved++;
                return;
            }
        }
        record(rank, nalStart, writePosition - nalStart);
        parameterSetsPresent |= 1 << rank;
        if (!sawSlice) {
            insertPoint = writePosition;
        }
    }

    private void rememberFromUnit(int rank, int bodyStart, int bodyLength) {
        byte[] known = remembered[rank];
        if (rememberedLength[rank] == bodyLength) {
            boolean same = true;
            for (int i = 0; i < bodyLength && same; i++) {
                same = known[i] == out.get(bodyStart + i);
            }
            if (same) {
                return;
            }
        }
        if (known.length < bodyLength) {
            known = new byte[Math.max(bodyLength, 2 * known.length)];
            remembered[rank] = known;
        }
        out.get(bodyStart, known, 0, bodyLength);
        rememberedLength[rank] = bodyLength;
    }

    private boolean sameBytes(int a, int b, int length) {
        for (int i = 0; i < length; i++) {
            if (out.get(a + i) != out.get(b + i)) {
                return false;
            }
        }
        return true;
    }

    private void record(int rank, int offset, int length) {
        if (recordCount < MAX_RECORDED_PARAMETER_SETS) {
            recordRank[recordCount] = rank;
            recordOffset[recordCount] = offset;
            recordLength[recordCount] = length;
            recordCount++;
        }
    }

    /** Before a keyframe's first slice is written: puts in the parameter sets the unit lacks. */
    private void ensureParameterSets() {
        for (int rank = 0; rank < PARAMETER_SET_KINDS; rank++) {
            int bit = 1 << rank;
            if ((requiredParameterSets & bit) == 0 || (parameterSetsPresent & bit) != 0) {
                continue;
            }
            if (rememberedLength[rank] < 0) {
                missingParameterSets = true;
                return;
            }
            // Before any later-ranked set already in the unit (an SPS must precede the PPS that names it).
            int position = insertPoint;
            for (int i = 0; i < recordCount; i++) {
                if (recordRank[i] > rank && recordOffset[i] < position) {
                    position = recordOffset[i];
                }
            }
            if (!insert(position, rank)) {
                return;
            }
        }
    }

    private boolean insert(int position, int rank) {
        int length = rememberedLength[rank];
        int total = START_CODE_LENGTH + length;
        if (!reserve(total)) {
            return false;
        }
        // Only the unit's prefix (delimiter, SEI) moves: a few bytes, once per keyframe.
        for (int i = writePosition - 1; i >= position; i--) {
            out.put(i + total, out.get(i));
        }
        out.put(position, (byte) 0).put(position + 1, (byte) 0).put(position + 2, (byte) 0).put(position + 3, (byte) 1);
        out.put(position + START_CODE_LENGTH, remembered[rank], 0, length);
        writePosition += total;
        for (int i = 0; i < recordCount; i++) {
            if (recordOffset[i] >= position) {
                recordOffset[i] += total;
            }
        }
        if (insertPoint >= position) {
            insertPoint += total;
        }
        record(rank, position, total);
        parameterSetsPresent |= 1 << rank;
        counters.parameterSetsInserted++;
        return true;
    }

    private boolean reserve(int length) {
        if (tooLarge) {
            return false;
        }
        if (length > capacity - writePosition) {
            tooLarge = true;
            nalWriting = false;
            return false;
        }
        return true;
    }

    private void finishUnit() {
        if (!unitOpen) {
            return;
        }
        if (fragmentOpen) {
            fragmentOpen = false;
            error(DepacketizerError.FRAGMENT_NOT_ENDED);
        }
        unitOpen = false;
        if (broken) {
            counters.droppedIncomplete++;
            waitingForKeyframe = true;
        } else if (!unitHasNal) {
            // An empty packet's unit: whatever uncertainty it inherited passes on to the next.
            nextUnitHeadUncertain |= headUncertain;
        } else if (tooLarge) {
            counters.droppedTooLarge++;
            referenceLost();
        } else if (!sawSlice) {
            counters.unitsWithoutPicture++;
        } else if (discarding || (waitingForKeyframe && !keyframe)) {
            // (A unit whose first slice was not a keyframe's was not copied: it goes even if a keyframe slice followed.)
            counters.droppedWaitingForKeyframe++;
        } else if (missingParameterSets) {
            counters.droppedNoParameterSets++;
            waitingForKeyframe = true;
        } else {
            emit();
        }
    }

    /** Packets of the current unit are missing, or its payload is malformed. */
    private void markIncomplete() {
        if (concealing()) {
            unitDamaged = true;
        } else {
            broken = true;
        }
        nalIntact &= !fragmentOpen;
    }

    /** A unit later ones may refer to is incomplete or gone. */
    private void referenceLost() {
        if (concealing()) {
            damagedUntilKeyframe = true;
        } else {
            waitingForKeyframe = true;
        }
    }

    /** CONCEAL, and the stream has had a whole keyframe, so there is a picture to conceal from. */
    private boolean concealing() {
        return lossPolicy == LossPolicy.CONCEAL && !waitingForKeyframe;
    }

    private void emit() {
        if (unitDamaged) {
            damagedUntilKeyframe = true;
        } else if (keyframe) {
            waitingForKeyframe = false;
            damagedUntilKeyframe = false;
        }
        boolean damaged = damagedUntilKeyframe;
        if (damaged) {
            counters.unitsDamaged++;
        }
        counters.unitsEmitted++;
        out.limit(writePosition).position(0);
        unit.codec(codec)
                .rtpTimestamp(unitUnwrappedTimestamp)
                .arrivalTimeMicros(unitArrivalMicros)
                .captureTimeMicros(0)
                .keyframe(keyframe)
                .damaged(damaged)
                .sequence(counters.unitsEmitted);
        try {
            listener.onAccessUnit(unit);
        } finally {
            out.clear();
        }
    }
}
