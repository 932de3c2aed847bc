package io.virta.producer.mux.fmp4;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Gathers the samples of several units into one moof+mdat fragment, for fragments of a duration
 * rather than of one frame ({@code fmp4.fragmentMillis}). A unit's bytes live only during its
 * callback, and a fragment's moof, which comes first, is sized by its sample count, known only when
 * the fragment closes; so samples are copied into a buffer reserved up front, and the fragment is
 * written from there when it closes. Each sample's duration is then exact: the step to the next
 * sample, and for the last one the step to the unit that closed the fragment.
 *
 * <p>Use with one {@link Fmp4Muxer}: after it accepted a unit, {@link #fits} and {@link #add};
 * when the fragment should close, {@link #write}. Allocates nothing after construction.
 */
public final class Fmp4FragmentBuilder {
    /** Samples per fragment; a fragment that reaches it closes early. */
    public static final int MAX_SAMPLES = 1024;
    private static final int MOOF_WITHOUT_SAMPLES = Fmp4Muxer.MOOF_SIZE - 12;
    private static final int SAMPLE_ENTRY = 12;
    private static final int MDAT_HEADER = 8;
    private static final int SAMPLE_FLAGS_SYNC = 0x0200_0000;
    private static final int SAMPLE_FLAGS_NON_SYNC = 0x0101_0000;
    private static final long FALLBACK_DURATION = Fmp4Muxer.TIMESCALE / 25;

    private final long capacity;
    private final MemorySegment samples;
    private final long[] decodeTimes = new long[MAX_SAMPLES];
    private final int[] sizes = new int[MAX_SAMPLES];
    private final boolean[] sync = new boolean[MAX_SAMPLES];
    private final BoxWriter boxes = new BoxWriter();
    private int count;
    private long sampleBytes;

    /** @param capacity the most bytes a whole fragment (moof+mdat) may take: a bus cell's capacity */
    public Fmp4FragmentBuilder(long capacity) {
        this.capacity = capacity;
        this.samples = Arena.ofAuto().allocate(capacity, 8);
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public int samples() {
        return count;
    }

    /** Decode time of the fragment's first sample; meaningless while it is empty. */
    public long firstDecodeTime() {
        return decodeTimes[0];
    }

    /** Whether the fragment starts with a sync sample. */
    public boolean startsWithKeyframe() {
        return count > 0 && sync[0];
    }

    /** Whether the muxer's accepted unit would still fit in this fragment. */
    public boolean fits(Fmp4Muxer muxer) {
        return count < MAX_SAMPLES && size(count + 1, sampleBytes + muxer.sampleSize()) <= capacity;
    }

    /** Copies the muxer's accepted unit in as the next sample; check {@link #fits} first. */
    public void add(Fmp4Muxer muxer) {
        if (!fits(muxer)) {
            throw new IllegalStateException("the sample does not fit: check fits() first");
        }
        long written = muxer.writeSample(samples, sampleBytes);
        decodeTimes[count] = muxer.decodeTime();
        sizes[count] = (int) written;
        sync[count] = muxer.isKeyframe();
        count++;
        sampleBytes += written;
    }

    /** Size of the fragment's moof+mdat as it stands. */
    public long size() {
        return size(count, sampleBytes);
    }

    private static long size(int samples, long bytes) {
        return MOOF_WITHOUT_SAMPLES + (long) SAMPLE_ENTRY * samples + MDAT_HEADER + bytes;
    }

    /**
     * Writes the fragment's moof+mdat at {@code offset} and empties it; returns its size.
     *
     * @param endDecodeTime when the sample after the last one starts (the unit that closes the
     *                      fragment); if it is not after the last sample, the last gap is repeated
     */
    public long write(Fmp4Muxer muxer, MemorySegment out, long offset, long endDecodeTime) {
        int moofSize = MOOF_WITHOUT_SAMPLES + SAMPLE_ENTRY * count;
        boxes.wrap(out, offset);
        boxes.start(FourCc.MOOF);
        boxes.startFull(FourCc.MFHD, 0, 0).u32(muxer.nextFragmentSequence()).end();
        boxes.start(FourCc.TRAF);
        boxes.startFull(FourCc.TFHD, 0, 0x02_0000).u32(InitSegmentWriter.TRACK_ID).end(); // default-base-is-moof
        boxes.startFull(FourCc.TFDT, 1, 0).u64(decodeTimes[0]).end();
        // data offset, then duration, size and flags per sample
        boxes.startFull(FourCc.TRUN, 0, 0x00_0701).u32(count).u32(moofSize + MDAT_HEADER);
        long lastDuration = FALLBACK_DURATION;
        for (int i = 0; i < count; i++) {
            long next = i + 1 < count ? decodeTimes[i + 1] : endDecodeTime;
            long duration = next > decodeTimes[i] ? next - decodeTimes[i] : lastDuration;
            lastDuration = duration;
            boxes.u32((int) duration).u32(sizes[i]).u32(sync[i] ? SAMPLE_FLAGS_SYNC : SAMPLE_FLAGS_NON_SYNC);
        }
        boxes.end(); // trun
        boxes.end(); // traf
        boxes.end(); // moof
        boxes.start(FourCc.MDAT).bytes(samples, 0, sampleBytes).end();
        long size = boxes.position() - offset;
        count = 0;
        sampleBytes = 0;
        return size;
    }
}
