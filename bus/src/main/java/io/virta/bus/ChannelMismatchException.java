package io.virta.bus;

/** The channel exists, but is not what the reader asked for: another type, size, format or format version. */
public final class ChannelMismatchException extends BusException {
    public ChannelMismatchException(String message) {
        super(message);
    }
}
