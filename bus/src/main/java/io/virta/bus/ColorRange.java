package io.virta.bus;

/**
 * Which values a frame's YUV samples span: the {@code colorRange} code of docs/bus-format.md
 * section 3.4, as the writer's source tagged it.
 */
public enum ColorRange {
    /** The source did not say (or the writer predates colour metadata): see {@link #assumed()}. */
    UNSPECIFIED(0),
    /** Limited ("tv", MPEG) range: luma 16..235, chroma 16..240 in 8 bits. */
    LIMITED(1),
    /** Full ("pc", JPEG) range: 0..255 in 8 bits. */
    FULL(2);

    /**
     * Indexed by code: the constants are declared in code order. A copy of values(), which makes a new
     * array on every call; Frame.load runs per frame.
     */
    private static final ColorRange[] BY_CODE = values();

    private final int code;

    ColorRange(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * The range with this code. A code this release does not know (a newer writer's) is UNSPECIFIED,
     * never an error: an older reader keeps working and falls back to its assumption.
     */
    public static ColorRange fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNSPECIFIED;
    }

    /** The range a reader should use: this one, or LIMITED (what untagged video almost always is) for UNSPECIFIED. */
    public ColorRange assumed() {
        return this == UNSPECIFIED ? LIMITED : this;
    }

    /** Parses a command-line spelling such as {@code limited} (any case); {@code unspecified} is allowed too. */
    public static ColorRange parse(String text) {
        for (ColorRange value : BY_CODE) {
            if (value.name().equalsIgnoreCase(text)) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown colour range '" + text + "': use one of limited, full or unspecified");
    }
}
