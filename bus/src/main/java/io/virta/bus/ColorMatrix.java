package io.virta.bus;

/**
 * The matrix that turns a frame's YUV samples into RGB: the {@code colorMatrix} code of
 * docs/bus-format.md section 3.3, as the writer's source tagged it.
 */
public enum ColorMatrix {
    /** The source did not say (or the writer predates colour metadata): see {@link #assumedFor(int)}. */
    UNSPECIFIED(0),
    /** ITU-R BT.601, FFmpeg's {@code bt470bg} and {@code smpte170m}: standard-definition video. */
    BT601(1),
    /** ITU-R BT.709: HD video. */
    BT709(2),
    /** ITU-R BT.2020 non-constant luminance. */
    BT2020(3);

    /**
     * Indexed by code: the constants are declared in code order. A copy of values(), which makes a new
     * array on every call; Frame.load runs per frame.
     */
    private static final ColorMatrix[] BY_CODE = values();

    private final int code;

    ColorMatrix(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * The matrix with this code. A code this release does not know (a newer writer's) is UNSPECIFIED,
     * never an error: an older reader keeps working and falls back to its assumption.
     */
    public static ColorMatrix fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNSPECIFIED;
    }

    /**
     * The matrix a reader should use for a frame {@code height} pixels high: this one, or for
     * UNSPECIFIED what decoders and players assume for untagged video, BT.709 from 720 lines up and
     * BT.601 below.
     */
    public ColorMatrix assumedFor(int height) {
        if (this != UNSPECIFIED) {
            return this;
        }
        return height >= 720 ? BT709 : BT601;
    }

    /** Parses a command-line spelling such as {@code bt709} (any case); {@code unspecified} is allowed too. */
    public static ColorMatrix parse(String text) {
        for (ColorMatrix value : BY_CODE) {
            if (value.name().equalsIgnoreCase(text)) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown colour matrix '" + text + "': use one of bt601, bt709, bt2020 or unspecified");
    }
}
