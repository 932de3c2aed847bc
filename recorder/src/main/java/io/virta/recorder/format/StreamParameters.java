package io.virta.recorder.format;

import io.virta.bus.PixelFormat;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * What every frame of one segment shares (docs/recording-format.md section 5.3): codec, resolution
 * and parameter sets (Annex-B VPS/SPS/PPS). A change of any of them starts a new segment.
 *
 * <p>Immutable. Make one when the stream changes and pass the same object with every frame: the
 * writer compares by identity first, so an unchanged stream costs no byte comparison per frame.
 */
public final class StreamParameters {
    private final PixelFormat codec;
    private final int width;
    private final int height;
    private final byte[] parameterSets;

    public StreamParameters(PixelFormat codec, int width, int height, byte[] parameterSets) {
        if (codec != PixelFormat.H264 && codec != PixelFormat.H265) {
            throw new IllegalArgumentException("the recorder stores H264 or H265, not " + codec);
        }
        this.codec = codec;
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("negative resolution " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.parameterSets = parameterSets.clone();
    }

    public PixelFormat codec() {
        return codec;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public byte[] parameterSets() {
        return parameterSets.clone();
    }


    @Override
    public boolean equals(Object other) {
        return this == other || other instanceof StreamParameters that && codec == that.codec && width == that.width
                && height == that.height && Arrays.equals(parameterSets, that.parameterSets);
    }

    @Override
    public int hashCode() {
        return (codec.hashCode() * 31 + width) * 31 + height + Arrays.hashCode(parameterSets);
    }

    @Override
    public String toString() {
        return codec + " " + width + "x" + height + " parameter sets " + HexFormat.of().formatHex(parameterSets);
    }
}
