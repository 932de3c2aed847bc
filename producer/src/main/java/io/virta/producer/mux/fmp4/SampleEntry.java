package io.virta.producer.mux.fmp4;

import io.virta.rtsp.media.SequenceParameterSet;

/** The codec's sample entry in stsd (avc1+avcC, hvc1+hvcC): the decoder configuration, from the stored parameter sets. */
abstract class SampleEntry {
    /** The common VisualSampleEntry fields after the box header (ISO/IEC 14496-12 12.1.3): 78 bytes. */
    static final int VISUAL_FIELDS = 78;

    protected final ParameterSets sets;

    SampleEntry(ParameterSets sets) {
        this.sets = sets;
    }

    abstract SequenceParameterSet sps();

    /** Whether every parameter set the entry needs has been seen. */
    abstract boolean complete();

    /** Bytes {@link #write} writes. */
    abstract int size();

    abstract void write(BoxWriter out);

    /** Parses the stored SPS; throws IllegalArgumentException naming what is wrong with it. */
    final void parse() {
        sps().parse(sets.sps, sets.spsLength);
    }

    final int width() {
        return sps().width();
    }

    final int height() {
        return sps().height();
    }

    /** The box header and the VisualSampleEntry fields of a {@code type} entry, left open for the codec's box. */
    final void startVisualEntry(BoxWriter out, int type) {
        out.start(type).zeros(6).u16(1) // reserved, data_reference_index
                .u16(0).u16(0).zeros(12)
                .u16(width()).u16(height())
                .u32(0x00480000).u32(0x00480000) // 72 dpi
                .u32(0).u16(1).zeros(32).u16(0x0018).u16(0xFFFF); // frame_count 1, no compressor name, depth 24
    }
}
