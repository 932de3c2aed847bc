package io.virta.bus;

/** Pixel format or codec of a payload; the {@code format} code of docs/bus-format.md section 3.2. */
public enum PixelFormat {
    NONE(0),
    RGB24(1),
    BGR24(2),
    I420(3),
    NV12(4),
    GRAY8(5),
    H264(100),
    H265(101),
    FMP4(200);

    /** values() copies its array on every call; Frame.format() runs per frame. */
    private static final PixelFormat[] VALUES = values();

    private final int code;

    PixelFormat(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Returns the format with this code, or null for a code this version does not know. */
    public static PixelFormat fromCode(int code) {
        for (PixelFormat format : VALUES) {
            if (format.code == code) {
                return format;
            }
        }
        return null;
    }

    /** The format a channel of this type carries unless told otherwise. */
    public static PixelFormat defaultFor(ChannelType type) {
        return switch (type) {
            case RGB24 -> RGB24;
            case YUV420P -> I420;
            case FMP4 -> FMP4;
            case ENCODED -> H264;
            case RAW -> NONE;
        };
    }
}
