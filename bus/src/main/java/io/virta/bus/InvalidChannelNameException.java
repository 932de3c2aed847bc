package io.virta.bus;

/** A channel name that docs/bus-format.md section 1 does not allow. */
public final class InvalidChannelNameException extends BusException {
    public InvalidChannelNameException(String name) {
        super("invalid channel name " + (name == null ? "null" : "'" + name + "'")
                + ": use 1 to " + ChannelName.MAX_LENGTH
                + " characters from A-Z a-z 0-9 . _ -, not starting with '.' or '-'"
                + " (for example 'lobby.rgb')");
    }
}
