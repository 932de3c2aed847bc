package io.virta.producer.mux.fmp4;

/**
 * Writes the boxes of an init segment: ftyp, then moov with one video track (the codec's sample
 * entry: avc1 or hvc1 with the parameter sets), empty sample tables, and mvex/trex announcing that
 * the samples come in movie fragments. The {@code .mp4} channel's FIRST cells carry them, and the web
 * view frames them for browsers as its {@code BrowserInitSegment}.
 */
final class InitSegmentWriter {
    static final int TRACK_ID = 1;
    private static final int[] IDENTITY_MATRIX = {0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000};
    /** ISO 639-2 "und", packed as three 5-bit letters. */
    private static final int LANGUAGE_UNDETERMINED = 0x55C4;
    private static final byte[] HANDLER_NAME = "VideoHandler\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private InitSegmentWriter() {
    }

    /** The bytes {@link #write} writes for this sample entry. */
    static int size(SampleEntry entry) {
        int stbl = 8 + (16 + entry.size()) + 16 + 16 + 20 + 16;
        int minf = 8 + 20 + 36 + stbl;
        int mdia = 8 + 32 + (32 + HANDLER_NAME.length) + minf;
        int trak = 8 + 92 + mdia;
        int moov = 8 + 108 + trak + 40;
        return 36 + moov;
    }

    static void write(BoxWriter out, SampleEntry entry) {
        out.start(FourCc.FTYP).u32(FourCc.ISOM).u32(0x200)
                .u32(FourCc.ISOM).u32(FourCc.ISO5).u32(FourCc.ISO6).u32(FourCc.AVC1_BRAND).u32(FourCc.MP41).end();
        out.start(FourCc.MOOV);
        movieHeader(out);
        out.start(FourCc.TRAK);
        trackHeader(out, entry.width(), entry.height());
        out.start(FourCc.MDIA);
        out.startFull(FourCc.MDHD, 0, 0).u32(0).u32(0).u32(Fmp4Muxer.TIMESCALE).u32(0).u16(LANGUAGE_UNDETERMINED).u16(0)
                .end();
        out.startFull(FourCc.HDLR, 0, 0).u32(0).u32(FourCc.VIDE).zeros(12).bytes(HANDLER_NAME, 0, HANDLER_NAME.length)
                .end();
        out.start(FourCc.MINF);
        out.startFull(FourCc.VMHD, 0, 1).u16(0).u16(0).u16(0).u16(0).end();
        out.start(FourCc.DINF).startFull(FourCc.DREF, 0, 0).u32(1).startFull(FourCc.URL, 0, 1).end().end().end();
        out.start(FourCc.STBL);
        out.startFull(FourCc.STSD, 0, 0).u32(1);
        entry.write(out);
        out.end();
        out.startFull(FourCc.STTS, 0, 0).u32(0).end();
        out.startFull(FourCc.STSC, 0, 0).u32(0).end();
        out.startFull(FourCc.STSZ, 0, 0).u32(0).u32(0).end();
        out.startFull(FourCc.STCO, 0, 0).u32(0).end();
        out.end(); // stbl
        out.end(); // minf
        out.end(); // mdia
        out.end(); // trak
        out.start(FourCc.MVEX).startFull(FourCc.TREX, 0, 0).u32(TRACK_ID).u32(1).u32(0).u32(0).u32(0).end().end();
        out.end(); // moov
    }

    private static void movieHeader(BoxWriter out) {
        out.startFull(FourCc.MVHD, 0, 0).u32(0).u32(0).u32(Fmp4Muxer.TIMESCALE).u32(0)
                .u32(0x00010000).u16(0x0100).zeros(10);
        matrix(out);
        out.zeros(24).u32(TRACK_ID + 1).end();
    }

    private static void trackHeader(BoxWriter out, int width, int height) {
        // flags: track enabled, in movie, in preview
        out.startFull(FourCc.TKHD, 0, 7).u32(0).u32(0).u32(TRACK_ID).u32(0).u32(0).zeros(8)
                .u16(0).u16(0).u16(0).u16(0);
        matrix(out);
        out.u32(width << 16).u32(height << 16).end();
    }

    private static void matrix(BoxWriter out) {
        for (int value : IDENTITY_MATRIX) {
            out.u32(value);
        }
    }
}
