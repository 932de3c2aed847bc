package io.virta.bus;

/** PROVISIONAL (replaced by the bus colour-metadata change): the value range of a frame's samples. */
public enum ColorRange {
    UNSPECIFIED(0), LIMITED(1), FULL(2);

    private final int code;

    ColorRange(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ColorRange fromCode(int code) {
        for (ColorRange r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return UNSPECIFIED;
    }
}
