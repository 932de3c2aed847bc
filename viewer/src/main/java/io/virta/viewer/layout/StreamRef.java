package io.virta.viewer.layout;

/**
 * What a tile shows: a camera, found through the producer's control API, or a bus channel by name.
 * In flags and layout files a plain name is a camera and {@code channel:NAME} a channel.
 */
public record StreamRef(boolean isChannel, String name) {
    private static final String CHANNEL_PREFIX = "channel:";

    public StreamRef {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an empty " + (isChannel ? "channel" : "camera") + " name");
        }
    }

    public static StreamRef camera(String name) {
        return new StreamRef(false, name);
    }

    public static StreamRef channel(String name) {
        return new StreamRef(true, name);
    }

    /** A tile entry as written in a layout file: {@code lobby} or {@code channel:lobby.yuv}. */
    public static StreamRef parse(String text) {
        String t = text.strip();
        return t.startsWith(CHANNEL_PREFIX) ? channel(t.substring(CHANNEL_PREFIX.length())) : camera(t);
    }

    /** The camera shown, for overlays: the camera name, or a channel's name up to its last '.'. */
    public String camera() {
        if (!isChannel) {
            return name;
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    @Override
    public String toString() {
        return isChannel ? CHANNEL_PREFIX + name : name;
    }
}
