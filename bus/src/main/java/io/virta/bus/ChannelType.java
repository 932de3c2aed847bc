package io.virta.bus;

/** What a channel's cells carry; the {@code channelType} code of docs/bus-format.md section 3.1. */
public enum ChannelType {
    RGB24(1),
    YUV420P(2),
    FMP4(3),
    ENCODED(4),
    RAW(5);

    /** values() copies its array on every call; Frame.format() runs per frame. */
    private static final ChannelType[] VALUES = values();

    private final int code;

    ChannelType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Returns the type with this code, or null for a code this version does not know. */
    public static ChannelType fromCode(int code) {
        for (ChannelType type : VALUES) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }

    /** Parses a command-line spelling such as {@code rgb24} or {@code yuv420p}. */
    public static ChannelType parse(String text) {
        for (ChannelType type : values()) {
            if (type.name().equalsIgnoreCase(text)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown channel type '" + text
                + "': use one of rgb24, yuv420p, fmp4, encoded, raw");
    }
}
