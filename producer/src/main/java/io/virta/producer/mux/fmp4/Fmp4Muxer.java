package io.virta.producer.mux.fmp4;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AnnexB;
import io.virta.rtsp.media.NalRole;
import io.virta.rtsp.media.VideoCodec;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Turns H264 or H265 access units into fragmented MP4: an init segment from the stream's parameter
 * sets (avc1+avcC, hvc1+hvcC), and one moof+mdat fragment per unit with its NAL units
 * length-prefixed. VPS, SPS, PPS and AUDs stay out of the samples: the parameter sets live in the
 * init segment.
 *
 * <p>Use per unit: {@link #accept}, then, if it returns true, {@link #initSize}/{@link #writeInit}
 * when an init segment is wanted and {@link #fragmentSize}/{@link #writeFragment}. Times are the
 * units' RTP timestamps (90 kHz) from the first accepted unit on; a sample's duration is the gap
 * before it (the next unit's time is not known yet, and waiting for it would add a frame of latency),
 * while each fragment's tfdt carries its exact decode time. Streams with B-frames (decode order not
 * presentation order) are written without composition offsets: IP cameras rarely send them.
 *
 * <p>Allocates nothing per unit once the parameter sets are stored; one instance per stream, one thread.
 */
public final class Fmp4Muxer {
    public static final int TIMESCALE = 90_000;
    /** NAL units per access unit; a unit with more is refused. */
    static final int MAX_NALS = 1024;
    /** moof with mfhd and a traf of tfhd, tfdt (version 1) and a one-sample trun: see {@link #writeFragment}. */
    static final int MOOF_SIZE = 100;
    private static final int SAMPLE_FLAGS_SYNC = 0x0200_0000;
    private static final int SAMPLE_FLAGS_NON_SYNC = 0x0101_0000;
    /** A jump in timestamps larger than this (either way) restarts the timeline from the last time. */
    private static final long MAX_GAP = 5L * TIMESCALE;
    private static final int DEFAULT_DURATION = TIMESCALE / 25;

    private final ParameterSets sets = new ParameterSets();
    private final AvcSampleEntry avc = new AvcSampleEntry(sets);
    private final HevcSampleEntry hevc = new HevcSampleEntry(sets);
    private VideoCodec codec;
    private SampleEntry entry;
    private boolean spsValid;

    private final int[] nalStarts = new int[MAX_NALS];
    private final int[] nalLengths = new int[MAX_NALS];
    private int nalCount;
    private long sampleBytes;
    private boolean keyframe;
    private final UnitSegments segments = new UnitSegments();
    private MemorySegment unitMemory;

    private boolean timelineStarted;
    private long lastTimestamp;
    private long decodeTime;
    private long duration = DEFAULT_DURATION;
    private int fragmentSequence;

    private final BoxWriter boxes = new BoxWriter();
    private long refused;
    private String lastRefusal;

    /**
     * Takes in one unit: stores its parameter sets and finds its sample NAL units. False when it
     * cannot be muxed: no valid parameter sets seen yet, no picture data, or too many NAL units
     * ({@link #lastRefusal} says which).
     */
    public boolean accept(AccessUnit unit) {
        if (unit.codec() != codec) {
            codec = unit.codec();
            sets.clear();
            spsValid = false;
        }
        boolean h264 = codec == VideoCodec.H264;
        ByteBuffer data = unit.data();
        int end = unit.size();
        nalCount = 0;
        sampleBytes = 0;
        int start = AnnexB.nextNalStart(data, 0, end);
        while (start >= 0) {
            int nalEnd = AnnexB.nalEnd(data, start, end);
            int length = nalEnd - start;
            if (length > 0 && !takeParameterSet(data, start, length)) {
                if (nalCount == MAX_NALS) {
                    return refuse("an access unit with more than " + MAX_NALS + " NAL units");
                }
                nalStarts[nalCount] = start;
                nalLengths[nalCount++] = length;
                sampleBytes += 4 + length;
            }
            start = AnnexB.nextNalStart(data, nalEnd, end);
        }
        SampleEntry codecEntry = h264 ? avc : hevc;
        if (sets.changed() && sets.spsLength > 0) {
            try {
                codecEntry.parse();
                entry = codecEntry;
                spsValid = true;
            } catch (IllegalArgumentException e) {
                spsValid = false;
                sets.takeChanged();
                return refuse(e.getMessage());
            }
        }
        if (!spsValid || !codecEntry.complete()) {
            return refuse(h264 ? "no valid SPS and PPS yet" : "no valid VPS, SPS and PPS yet");
        }
        if (nalCount == 0) {
            return refuse("an access unit without picture data");
        }
        keyframe = unit.isKeyframe();
        unitMemory = segments.of(data);
        advanceTimeline(unit.rtpTimestamp());
        return true;
    }

    /** Stores a VPS, SPS or PPS, and passes over AUDs; false for a NAL unit that belongs in the sample. */
    private boolean takeParameterSet(ByteBuffer data, int start, int length) {
        NalRole role = codec.nalType(data.get(start)).role();
        switch (role) {
            case SEQUENCE_PARAMETER_SET -> sets.sps(data, start, length);
            case PICTURE_PARAMETER_SET -> sets.pps(data, start, length);
            case VIDEO_PARAMETER_SET -> sets.vps(data, start, length);
            default -> {
            }
        }
        // An access unit delimiter is framing that MP4 does not need; anything else is the sample.
        return role.isParameterSet() || role == NalRole.ACCESS_UNIT_DELIMITER;
    }

    private boolean refuse(String reason) {
        refused++;
        lastRefusal = reason;
        return false;
    }

    private void advanceTimeline(long timestamp) {
        if (!timelineStarted) {
            timelineStarted = true;
            decodeTime = 0;
        } else {
            long gap = timestamp - lastTimestamp;
            if (gap > 0 && gap <= MAX_GAP) {
                duration = gap;
            }
            // A reset or jump keeps the timeline going by the last frame's duration.
            decodeTime += gap > 0 && gap <= MAX_GAP ? gap : duration;
        }
        lastTimestamp = timestamp;
    }

    /** True once per change of SPS or PPS, for the unit just accepted: a new init segment is due. */
    public boolean takeParameterSetsChanged() {
        return sets.takeChanged();
    }

    /** Whether the unit just accepted is a keyframe (its fragment's sample is a sync sample). */
    public boolean isKeyframe() {
        return keyframe;
    }

    /** Decode time of the unit just accepted, in {@link #TIMESCALE} units from the first one. */
    public long decodeTime() {
        return decodeTime;
    }

    public int width() {
        return entry.width();
    }

    public int height() {
        return entry.height();
    }

    public int initSize() {
        return InitSegmentWriter.size(entry);
    }

    /** Writes ftyp+moov for the current parameter sets at {@code offset}; returns its size. */
    public int writeInit(MemorySegment out, long offset) {
        boxes.wrap(out, offset);
        InitSegmentWriter.write(boxes, entry);
        return (int) (boxes.position() - offset);
    }

    /** Size of the accepted unit's moof+mdat. */
    public long fragmentSize() {
        return MOOF_SIZE + 8 + sampleBytes;
    }

    /** Writes the accepted unit's moof+mdat at {@code offset}; returns its size. */
    public long writeFragment(MemorySegment out, long offset) {
        boxes.wrap(out, offset);
        boxes.start(FourCc.MOOF);
        boxes.startFull(FourCc.MFHD, 0, 0).u32(nextFragmentSequence()).end();
        boxes.start(FourCc.TRAF);
        boxes.startFull(FourCc.TFHD, 0, 0x02_0000).u32(InitSegmentWriter.TRACK_ID).end(); // default-base-is-moof
        boxes.startFull(FourCc.TFDT, 1, 0).u64(decodeTime).end();
        // data offset, then duration, size and flags for the one sample
        boxes.startFull(FourCc.TRUN, 0, 0x00_0701).u32(1).u32(MOOF_SIZE + 8)
                .u32((int) duration).u32((int) sampleBytes).u32(keyframe ? SAMPLE_FLAGS_SYNC : SAMPLE_FLAGS_NON_SYNC)
                .end();
        boxes.end(); // traf
        boxes.end(); // moof
        boxes.start(FourCc.MDAT);
        for (int i = 0; i < nalCount; i++) {
            boxes.u32(nalLengths[i]).bytes(unitMemory, nalStarts[i], nalLengths[i]);
        }
        boxes.end();
        return boxes.position() - offset;
    }

    /** Bytes of the accepted unit's sample as an mdat holds it: each NAL unit with a 4-byte length. */
    public long sampleSize() {
        return sampleBytes;
    }

    /** Writes the accepted unit's sample (length-prefixed NAL units) at {@code offset}; returns its size. */
    public long writeSample(MemorySegment out, long offset) {
        boxes.wrap(out, offset);
        for (int i = 0; i < nalCount; i++) {
            boxes.u32(nalLengths[i]).bytes(unitMemory, nalStarts[i], nalLengths[i]);
        }
        return boxes.position() - offset;
    }

    /** The mfhd sequence number for the next fragment, shared by per-unit and {@link Fmp4FragmentBuilder} fragments. */
    int nextFragmentSequence() {
        return ++fragmentSequence;
    }

    /** Units {@link #accept} turned down. */
    public long refused() {
        return refused;
    }

    /** Why the last refused unit was refused; null before any. */
    public String lastRefusal() {
        return lastRefusal;
    }

    /**
     * Memory segments over the few direct buffers units come in, remembered by identity: making a
     * segment for a buffer allocates, and an emitter reuses one unit (or rotates a handful).
     */
    private static final class UnitSegments {
        private static final int SLOTS = 8;
        private final ByteBuffer[] buffers = new ByteBuffer[SLOTS];
        private final MemorySegment[] segments = new MemorySegment[SLOTS];
        private int next;

        MemorySegment of(ByteBuffer buffer) {
            for (int i = 0; i < SLOTS; i++) {
                if (buffers[i] == buffer) {
                    return segments[i];
                }
            }
            // The whole buffer, not just [position, limit): later units fill it to other limits.
            ByteBuffer whole = buffer.duplicate().clear();
            buffers[next] = buffer;
            segments[next] = MemorySegment.ofBuffer(whole);
            MemorySegment segment = segments[next];
            next = (next + 1) % SLOTS;
            return segment;
        }
    }
}
