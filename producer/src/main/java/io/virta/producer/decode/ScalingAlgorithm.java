package io.virta.producer.decode;

import org.bytedeco.ffmpeg.global.swscale;

/** swscale's resampling filters, for the RGB publisher. BICUBIC is FFmpeg's own default. */
public enum ScalingAlgorithm {
    /** Nearest neighbour: the cheapest, blocky. */
    POINT(swscale.SWS_POINT),
    FAST_BILINEAR(swscale.SWS_FAST_BILINEAR),
    BILINEAR(swscale.SWS_BILINEAR),
    BICUBIC(swscale.SWS_BICUBIC),
    /** Averages source pixels: good for strong down-scaling. */
    AREA(swscale.SWS_AREA),
    LANCZOS(swscale.SWS_LANCZOS);

    final int swsFlags;

    ScalingAlgorithm(int swsFlags) {
        this.swsFlags = swsFlags;
    }

    /** Parses a configuration spelling such as {@code bicubic} or {@code fast-bilinear}. */
    public static ScalingAlgorithm parse(String text) {
        for (ScalingAlgorithm algorithm : values()) {
            if (algorithm.name().equalsIgnoreCase(text.replace('-', '_'))) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("unknown scaling algorithm '" + text
                + "': use one of point, fast-bilinear, bilinear, bicubic, area, lanczos");
    }
}
