package io.virta.viewer.present;

/**
 * The picture sizes the viewer reserves textures and pixel buffers for. A stream gets the smallest
 * class its frames fit in, so a camera that changes resolution within its class (a sub-stream switch,
 * a cropped encoder) streams on without reallocating anything; only a move to another class does.
 */
public enum ResolutionClass {
    HD_720(1280, 720),
    FULL_HD_1080(1920, 1080),
    QHD_1440(2560, 1440),
    UHD_4K(3840, 2160);

    private final int width;
    private final int height;

    ResolutionClass(int width, int height) {
        this.width = width;
        this.height = height;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int chromaWidth() {
        return (width + 1) / 2;
    }

    public int chromaHeight() {
        return (height + 1) / 2;
    }

    /** Bytes of one I420 frame of this class, packed (no row padding). */
    public long frameBytes() {
        return (long) width * height + 2L * chromaWidth() * chromaHeight();
    }

    public boolean fits(int frameWidth, int frameHeight) {
        return frameWidth <= width && frameHeight <= height;
    }

    /** The smallest class a {@code width} x {@code height} picture fits in, or null when it is larger than all. */
    public static ResolutionClass of(int width, int height) {
        for (ResolutionClass c : values()) {
            if (c.fits(width, height)) {
                return c;
            }
        }
        return null;
    }

    public static ResolutionClass largest() {
        return UHD_4K;
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
