package io.virta.recorder.export;

import io.virta.bus.PixelFormat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The decoder configuration of a run of exported frames that share their parameter sets: the codec,
 * the picture format of the SPS, and the configuration record that MP4 ({@code avcC}, {@code hvcC}
 * inside an {@code avc1}/{@code hvc1} sample entry) and Matroska ({@code CodecPrivate}) carry (ISO/IEC
 * 14496-15 sections 5.3.3.1 and 8.3.3.1). A recording whose parameter sets change mid-range gets one
 * entry per set (docs/recording-format.md section 11.3).
 *
 * <p>Immutable; made once per segment whose parameter sets differ from the previous segment's.
 * <b>Hostile input:</b> {@link #of} refuses parameter sets that lack an SPS or a PPS (or a VPS for
 * H265), or whose SPS does not parse, with a {@link MalformedMediaException}.
 */
public final class SampleEntry {
    private final PixelFormat codec;
    private final byte[] parameterSets;
    private final SequenceInfo sequence;
    private final byte[] configuration;

    private SampleEntry(PixelFormat codec, byte[] parameterSets, SequenceInfo sequence, byte[] configuration) {
        this.codec = codec;
        this.parameterSets = parameterSets;
        this.sequence = sequence;
        this.configuration = configuration;
    }

    /**
     * Builds the entry of Annex-B parameter sets (a segment header's, or those in front of a keyframe).
     *
     * @throws MalformedMediaException naming what is missing or does not parse
     */
    public static SampleEntry of(PixelFormat codec, byte[] annexB) throws MalformedMediaException {
        List<byte[]> units = AnnexB.units(annexB);
        List<byte[]> vps = new ArrayList<>();
        List<byte[]> sps = new ArrayList<>();
        List<byte[]> pps = new ArrayList<>();
        for (byte[] unit : units) {
            int type = nalType(codec, unit);
            if (codec == PixelFormat.H264) {
                if (type == 7) {
                    sps.add(unit);
                } else if (type == 8) {
                    pps.add(unit);
                }
            } else if (type == 32) {
                vps.add(unit);
            } else if (type == 33) {
                sps.add(unit);
            } else if (type == 34) {
                pps.add(unit);
            }
        }
        if (sps.isEmpty() || pps.isEmpty() || (codec == PixelFormat.H265 && vps.isEmpty())) {
            throw new MalformedMediaException("no " + (codec == PixelFormat.H265 ? "VPS, " : "") + "SPS and PPS in "
                    + annexB.length + " bytes of " + codec + " parameter sets");
        }
        for (List<byte[]> list : List.of(vps, sps, pps)) {
            for (byte[] unit : list) {
                if (unit.length > 0xFFFF) {
                    throw new MalformedMediaException("a parameter set of " + unit.length + " bytes (at most 65535)");
                }
            }
        }
        if (sps.size() > 31 || pps.size() > 255 || vps.size() > 15) {
            throw new MalformedMediaException("too many parameter sets: " + vps.size() + " VPS, " + sps.size()
                    + " SPS, " + pps.size() + " PPS");
        }
        byte[] first = sps.get(0);
        SequenceInfo sequence = SequenceInfo.parse(codec, first, 0, first.length);
        byte[] configuration = codec == PixelFormat.H264 ? avcC(sequence, sps, pps) : hvcC(sequence, vps, sps, pps);
        return new SampleEntry(codec, annexB.clone(), sequence, configuration);
    }

    /** The NAL unit type of a unit (its header's first byte(s)); -1 for an empty unit. */
    static int nalType(PixelFormat codec, byte[] unit) {
        if (unit.length == 0) {
            return -1;
        }
        return codec == PixelFormat.H264 ? unit[0] & 0x1F : (unit[0] >> 1) & 0x3F;
    }

    /** AVCDecoderConfigurationRecord, ISO/IEC 14496-15 section 5.3.3.1, with 4-byte NAL unit lengths. */
    private static byte[] avcC(SequenceInfo sequence, List<byte[]> sps, List<byte[]> pps) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] profile = sequence.profile();
        out.write(1); // configurationVersion
        out.write(profile[0]);
        out.write(profile[1]);
        out.write(profile[2]);
        out.write(0xFC | 3); // lengthSizeMinusOne = 3
        out.write(0xE0 | sps.size());
        for (byte[] unit : sps) {
            writeUnit(out, unit);
        }
        out.write(pps.size());
        for (byte[] unit : pps) {
            writeUnit(out, unit);
        }
        int profileIdc = profile[0] & 0xFF;
        if (profileIdc == 100 || profileIdc == 110 || profileIdc == 122 || profileIdc == 144) {
            out.write(0xFC | sequence.chromaFormat());
            out.write(0xF8 | (sequence.bitDepthLuma() - 8));
            out.write(0xF8 | (sequence.bitDepthChroma() - 8));
            out.write(0); // numOfSequenceParameterSetExt
        }
        return out.toByteArray();
    }

    /** HEVCDecoderConfigurationRecord, ISO/IEC 14496-15 section 8.3.3.1, with 4-byte NAL unit lengths. */
    private static byte[] hvcC(SequenceInfo sequence, List<byte[]> vps, List<byte[]> sps, List<byte[]> pps) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1); // configurationVersion
        out.writeBytes(sequence.profile()); // general_profile_space .. general_level_idc, 12 bytes
        out.write(0xF0); // reserved, min_spatial_segmentation_idc = 0 (unknown)
        out.write(0x00);
        out.write(0xFC); // reserved, parallelismType = 0 (unknown)
        out.write(0xFC | sequence.chromaFormat());
        out.write(0xF8 | (sequence.bitDepthLuma() - 8));
        out.write(0xF8 | (sequence.bitDepthChroma() - 8));
        out.write(0); // avgFrameRate = 0 (unspecified)
        out.write(0);
        // constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne 3
        out.write((Math.min(sequence.temporalLayers(), 7) << 3) | (sequence.temporalIdNested() ? 4 : 0) | 3);
        out.write(3); // numOfArrays
        writeArray(out, 32, vps);
        writeArray(out, 33, sps);
        writeArray(out, 34, pps);
        return out.toByteArray();
    }

    /** One array of hvcC: array_completeness 1 (every set of the type is in the sample entry, as hvc1 asks). */
    private static void writeArray(ByteArrayOutputStream out, int nalType, List<byte[]> units) {
        out.write(0x80 | nalType);
        out.write(units.size() >> 8);
        out.write(units.size());
        for (byte[] unit : units) {
            writeUnit(out, unit);
        }
    }

    private static void writeUnit(ByteArrayOutputStream out, byte[] unit) {
        out.write(unit.length >> 8);
        out.write(unit.length);
        out.writeBytes(unit);
    }

    public PixelFormat codec() {
        return codec;
    }

    public SequenceInfo sequence() {
        return sequence;
    }

    public int width() {
        return sequence.width();
    }

    public int height() {
        return sequence.height();
    }

    /** The decoder configuration record: the body of {@code avcC}/{@code hvcC}, Matroska's {@code CodecPrivate}. */
    public byte[] configuration() {
        return configuration.clone();
    }

    byte[] configurationUnsafe() {
        return configuration;
    }

    /** True when {@code annexB} are the parameter sets this entry was made of. */
    boolean sameParameterSets(byte[] annexB) {
        return Arrays.equals(parameterSets, annexB);
    }

    /** The MP4 sample entry's four-character code: {@code avc1} or {@code hvc1} (parameter sets in the entry). */
    String fourcc() {
        return codec == PixelFormat.H264 ? "avc1" : "hvc1";
    }

    /** The configuration box's type: {@code avcC} or {@code hvcC}. */
    String configurationBox() {
        return codec == PixelFormat.H264 ? "avcC" : "hvcC";
    }

    /** Matroska's CodecID. */
    String matroskaCodecId() {
        return codec == PixelFormat.H264 ? "V_MPEG4/ISO/AVC" : "V_MPEGH/ISO/HEVC";
    }
}
