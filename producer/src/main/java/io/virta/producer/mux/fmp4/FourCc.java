package io.virta.producer.mux.fmp4;

import java.nio.charset.StandardCharsets;

/** ISO BMFF box types and brands as the big-endian 32-bit numbers written into boxes. */
public final class FourCc {
    public static final int FTYP = of("ftyp");
    public static final int MOOV = of("moov");
    public static final int MVHD = of("mvhd");
    public static final int TRAK = of("trak");
    public static final int TKHD = of("tkhd");
    public static final int MDIA = of("mdia");
    public static final int MDHD = of("mdhd");
    public static final int HDLR = of("hdlr");
    public static final int MINF = of("minf");
    public static final int VMHD = of("vmhd");
    public static final int DINF = of("dinf");
    public static final int DREF = of("dref");
    public static final int URL = of("url ");
    public static final int STBL = of("stbl");
    public static final int STSD = of("stsd");
    public static final int AVC1 = of("avc1");
    public static final int AVCC = of("avcC");
    public static final int HVC1 = of("hvc1");
    public static final int HVCC = of("hvcC");
    public static final int STTS = of("stts");
    public static final int STSC = of("stsc");
    public static final int STSZ = of("stsz");
    public static final int STCO = of("stco");
    public static final int MVEX = of("mvex");
    public static final int TREX = of("trex");
    public static final int MOOF = of("moof");
    public static final int MFHD = of("mfhd");
    public static final int TRAF = of("traf");
    public static final int TFHD = of("tfhd");
    public static final int TFDT = of("tfdt");
    public static final int TRUN = of("trun");
    public static final int MDAT = of("mdat");
    public static final int VIDE = of("vide");
    public static final int ISOM = of("isom");
    public static final int ISO5 = of("iso5");
    public static final int ISO6 = of("iso6");
    public static final int MP41 = of("mp41");
    public static final int AVC1_BRAND = AVC1;

    private FourCc() {
    }

    /** The number for four ASCII characters. */
    public static int of(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        if (b.length != 4) {
            throw new IllegalArgumentException("a box type has four characters, not '" + text + "'");
        }
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | b[3] & 0xFF;
    }

    /** The four characters of {@code type}, for messages and tests. */
    public static String toString(int type) {
        return new String(new byte[] {(byte) (type >>> 24), (byte) (type >>> 16), (byte) (type >>> 8), (byte) type},
                StandardCharsets.US_ASCII);
    }
}
