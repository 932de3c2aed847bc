package io.virta.bus;

/** The channel has no shared-memory object: its writer has not started, or has ended. */
public final class ChannelNotFoundException extends BusException {
    public ChannelNotFoundException(String name) {
        super("channel '" + name + "' does not exist (" + ChannelName.objectPath(name)
                + "): start its writer first, or let the reader wait for it"
                + " (ChannelReader.builder(name).awaitWriter(timeout))");
    }
}
