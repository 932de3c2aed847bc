package io.virta.producer.mux.fmp4;

import io.virta.rtsp.media.H264Sps;

/** avc1 with an avcC (ISO/IEC 14496-15 5.3.3) built from the stream's SPS and PPS. */
final class AvcSampleEntry extends SampleEntry {
    final H264Sps sps = new H264Sps();

    AvcSampleEntry(ParameterSets sets) {
        super(sets);
    }

    @Override
    H264Sps sps() {
        return sps;
    }

    @Override
    boolean complete() {
        return sets.spsLength > 0 && sets.ppsLength > 0;
    }

    @Override
    int size() {
        int avcc = 8 + 8 + sets.spsLength + 3 + sets.ppsLength + (H264Sps.hasChromaFormat(sps.profileIdc()) ? 4 : 0);
        return 8 + VISUAL_FIELDS + avcc;
    }

    @Override
    void write(BoxWriter out) {
        startVisualEntry(out, FourCc.AVC1);
        out.start(FourCc.AVCC).u8(1).u8(sps.profileIdc()).u8(sps.constraintFlags()).u8(sps.levelIdc())
                .u8(0xFF) // 4-byte NAL lengths
                .u8(0xE1).u16(sets.spsLength).bytes(sets.sps, 0, sets.spsLength)
                .u8(1).u16(sets.ppsLength).bytes(sets.pps, 0, sets.ppsLength);
        if (H264Sps.hasChromaFormat(sps.profileIdc())) {
            out.u8(0xFC | sps.chromaFormatIdc()).u8(0xF8 | sps.bitDepthLuma() - 8).u8(0xF8 | sps.bitDepthChroma() - 8)
                    .u8(0);
        }
        out.end().end();
    }
}
