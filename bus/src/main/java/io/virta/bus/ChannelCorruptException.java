package io.virta.bus;

/** The object under the channel's name is not a valid Virta channel. */
public final class ChannelCorruptException extends BusException {
    public ChannelCorruptException(String message) {
        super(message);
    }
}
