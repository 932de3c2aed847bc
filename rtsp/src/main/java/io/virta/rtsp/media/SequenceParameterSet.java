package io.virta.rtsp.media;

/** What H264 and H265 sequence parameter sets both tell a sample entry: picture size, chroma format, bit depths. */
public abstract sealed class SequenceParameterSet permits H264Sps, H265Sps {
    protected int chromaFormatIdc;
    protected int bitDepthLuma;
    protected int bitDepthChroma;
    protected int width;
    protected int height;

    /**
     * Reads the SPS in {@code sps[0, length)}, starting with its NAL header.
     *
     * @throws IllegalArgumentException if it is not an SPS, is cut short, or has values outside the standard
     */
    public abstract SequenceParameterSet parse(byte[] sps, int length);

    public int chromaFormatIdc() {
        return chromaFormatIdc;
    }

    public int bitDepthLuma() {
        return bitDepthLuma;
    }

    public int bitDepthChroma() {
        return bitDepthChroma;
    }

    /** Width after cropping (the conformance window), in pixels. */
    public int width() {
        return width;
    }

    /** Height after cropping (the conformance window), in pixels. */
    public int height() {
        return height;
    }
}
