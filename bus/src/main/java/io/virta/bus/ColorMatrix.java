package io.virta.bus;

/** PROVISIONAL (replaced by the bus colour-metadata change): the YUV to RGB matrix of a frame. */
public enum ColorMatrix {
    UNSPECIFIED(0), BT601(1), BT709(2), BT2020(3);

    private final int code;

    ColorMatrix(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ColorMatrix fromCode(int code) {
        for (ColorMatrix m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        return UNSPECIFIED;
    }
}
