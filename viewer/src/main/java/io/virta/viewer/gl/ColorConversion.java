package io.virta.viewer.gl;

import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;

/**
 * The YUV to RGB conversion the fragment shader applies: {@code rgb = matrix * (yuv - offset)}, with
 * samples normalized to 0..1 as the GPU reads them. The range's scaling is folded into the matrix, so
 * the shader does one subtraction and one matrix product per pixel whatever the stream is.
 *
 * <p>A stream that does not say which matrix or range it uses gets what players assume: BT.709 from 720
 * lines up, BT.601 below, limited range.
 */
public final class ColorConversion {
    private final float[] matrix = new float[9];
    private final float[] offset = new float[3];
    private ColorMatrix appliedMatrix;
    private ColorRange appliedRange;

    /** Sets the coefficients for a stream; allocates nothing. */
    public ColorConversion set(ColorMatrix requestedMatrix, ColorRange requestedRange, int frameHeight) {
        ColorMatrix m = resolve(requestedMatrix, frameHeight);
        ColorRange r = resolve(requestedRange);
        appliedMatrix = m;
        appliedRange = r;
        double kr = switch (m) {
            case BT601 -> 0.299;
            case BT2020 -> 0.2627;
            default -> 0.2126;
        };
        double kb = switch (m) {
            case BT601 -> 0.114;
            case BT2020 -> 0.0593;
            default -> 0.0722;
        };
        double kg = 1 - kr - kb;
        boolean limited = r == ColorRange.LIMITED;
        double lumaScale = limited ? 255.0 / 219.0 : 1.0;
        double chromaScale = limited ? 255.0 / 224.0 : 1.0;
        offset[0] = limited ? 16f / 255f : 0f;
        offset[1] = 128f / 255f;
        offset[2] = 128f / 255f;
        // Rows R, G, B; columns Y, Cb, Cr (row-major; uploaded transposed into GLSL's column-major mat3).
        set(0, lumaScale, 0, 2 * (1 - kr) * chromaScale);
        set(1, lumaScale, -2 * kb * (1 - kb) / kg * chromaScale, -2 * kr * (1 - kr) / kg * chromaScale);
        set(2, lumaScale, 2 * (1 - kb) * chromaScale, 0);
        return this;
    }

    private void set(int row, double y, double cb, double cr) {
        matrix[row * 3] = (float) y;
        matrix[row * 3 + 1] = (float) cb;
        matrix[row * 3 + 2] = (float) cr;
    }

    /** The matrix a stream that says {@code requested} is shown with. */
    public static ColorMatrix resolve(ColorMatrix requested, int frameHeight) {
        return (requested == null ? ColorMatrix.UNSPECIFIED : requested).assumedFor(frameHeight);
    }

    public static ColorRange resolve(ColorRange requested) {
        return (requested == null ? ColorRange.UNSPECIFIED : requested).assumed();
    }

    /** Row-major 3x3: rows R, G, B; columns Y, Cb, Cr. */
    public float[] matrix() {
        return matrix;
    }

    public float[] offset() {
        return offset;
    }

    public ColorMatrix appliedMatrix() {
        return appliedMatrix;
    }

    public ColorRange appliedRange() {
        return appliedRange;
    }

    /** Converts one 8-bit sample triple the way the shader does, into {@code rgb} (0..255, clamped). */
    public void toRgb(int y, int u, int v, int[] rgb) {
        double yy = y / 255.0 - offset[0];
        double uu = u / 255.0 - offset[1];
        double vv = v / 255.0 - offset[2];
        for (int row = 0; row < 3; row++) {
            double value = matrix[row * 3] * yy + matrix[row * 3 + 1] * uu + matrix[row * 3 + 2] * vv;
            rgb[row] = (int) Math.round(Math.max(0, Math.min(1, value)) * 255);
        }
    }
}
