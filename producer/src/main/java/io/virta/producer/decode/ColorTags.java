package io.virta.producer.decode;

import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import org.bytedeco.ffmpeg.global.avutil;

/**
 * The colour matrix and range of a picture the I420 publisher writes, from FFmpeg's tags on the
 * decoded picture (docs/bus-format.md 3.3 and 3.4). Tags the bus has no code for are UNSPECIFIED.
 */
final class ColorTags {
    private ColorTags() {
    }

    /** The matrix of a picture copied as it came. */
    static ColorMatrix matrix(DecodedFrame frame) {
        return switch (frame.colorspace()) {
            case avutil.AVCOL_SPC_BT709 -> ColorMatrix.BT709;
            case avutil.AVCOL_SPC_BT470BG, avutil.AVCOL_SPC_SMPTE170M -> ColorMatrix.BT601;
            case avutil.AVCOL_SPC_BT2020_NCL -> ColorMatrix.BT2020;
            default -> ColorMatrix.UNSPECIFIED;
        };
    }

    /** The range of a picture copied as it came: a YUVJ picture is full range even when its tag is missing. */
    static ColorRange range(DecodedFrame frame) {
        if (isYuvj(frame.avPixelFormat())) {
            return ColorRange.FULL;
        }
        return switch (frame.colorRange()) {
            case avutil.AVCOL_RANGE_MPEG -> ColorRange.LIMITED;
            case avutil.AVCOL_RANGE_JPEG -> ColorRange.FULL;
            default -> ColorRange.UNSPECIFIED;
        };
    }

    /**
     * The matrix of a picture swscale converted to YUV420P. The converter is given no colour
     * details, so it never changes a YUV picture's matrix; planar RGB (the identity "matrix") it
     * turns into YUV with its default, BT.601.
     */
    static ColorMatrix convertedMatrix(DecodedFrame frame) {
        return frame.colorspace() == avutil.AVCOL_SPC_RGB ? ColorMatrix.BT601 : matrix(frame);
    }

    /**
     * The range of a picture swscale converted to YUV420P. swscale takes a YUVJ picture as full
     * range and scales it to limited; any other YUV picture's values pass through as they were,
     * whatever its tag says (a 10-bit full-range picture stays full range); RGB comes out limited.
     */
    static ColorRange convertedRange(DecodedFrame frame) {
        if (isYuvj(frame.avPixelFormat()) || frame.colorspace() == avutil.AVCOL_SPC_RGB) {
            return ColorRange.LIMITED;
        }
        return range(frame);
    }

    private static boolean isYuvj(int avPixelFormat) {
        return avPixelFormat == avutil.AV_PIX_FMT_YUVJ420P || avPixelFormat == avutil.AV_PIX_FMT_YUVJ422P
                || avPixelFormat == avutil.AV_PIX_FMT_YUVJ444P || avPixelFormat == avutil.AV_PIX_FMT_YUVJ440P
                || avPixelFormat == avutil.AV_PIX_FMT_YUVJ411P;
    }
}
