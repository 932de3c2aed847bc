package io.virta.bus;

/** Every reader slot of the channel is taken. */
public final class NoFreeReaderSlotException extends BusException {
    public NoFreeReaderSlotException(String name, int slots) {
        super("channel '" + name + "' has all " + slots + " reader slots taken: close unused readers,"
                + " or create the channel with more reader slots (ChannelSpec.readerSlots)");
    }
}
