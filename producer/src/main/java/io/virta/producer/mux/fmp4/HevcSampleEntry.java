package io.virta.producer.mux.fmp4;

import io.virta.rtsp.media.H265NalType;
import io.virta.rtsp.media.H265Sps;

/** hvc1 with an hvcC (ISO/IEC 14496-15 8.3.3) built from the stream's VPS, SPS and PPS. */
final class HevcSampleEntry extends SampleEntry {
    private static final int HVCC_FIELDS = 23;

    final H265Sps sps = new H265Sps();

    HevcSampleEntry(ParameterSets sets) {
        super(sets);
    }

    @Override
    H265Sps sps() {
        return sps;
    }

    @Override
    boolean complete() {
        return sets.vpsLength > 0 && sets.spsLength > 0 && sets.ppsLength > 0;
    }

    @Override
    int size() {
        int hvcc = 8 + HVCC_FIELDS + 5 + sets.vpsLength + 5 + sets.spsLength + 5 + sets.ppsLength;
        return 8 + VISUAL_FIELDS + hvcc;
    }

    @Override
    void write(BoxWriter out) {
        startVisualEntry(out, FourCc.HVC1);
        long constraints = sps.constraintFlags();
        out.start(FourCc.HVCC).u8(1)
                .u8(sps.profileSpace() << 6 | sps.tierFlag() << 5 | sps.profileIdc())
                .u32((int) sps.compatibilityFlags())
                .u32((int) (constraints >>> 16)).u16((int) constraints)
                .u8(sps.levelIdc())
                .u16(0xF000) // min_spatial_segmentation_idc 0
                .u8(0xFC) // parallelismType 0: unknown
                .u8(0xFC | sps.chromaFormatIdc())
                .u8(0xF8 | sps.bitDepthLuma() - 8)
                .u8(0xF8 | sps.bitDepthChroma() - 8)
                .u16(0) // avgFrameRate unknown
                // constantFrameRate 0, numTemporalLayers, temporalIdNested, 4-byte NAL lengths
                .u8(sps.maxSubLayers() << 3 | sps.temporalIdNesting() << 2 | 3)
                .u8(3);
        array(out, H265NalType.VPS, sets.vps, sets.vpsLength);
        array(out, H265NalType.SPS, sets.sps, sets.spsLength);
        array(out, H265NalType.PPS, sets.pps, sets.ppsLength);
        out.end().end();
    }

    /** One NAL unit array: complete (no other sets of this type in the stream), one unit. */
    private static void array(BoxWriter out, H265NalType type, byte[] nal, int length) {
        out.u8(0x80 | type.value()).u16(1).u16(length).bytes(nal, 0, length);
    }
}
