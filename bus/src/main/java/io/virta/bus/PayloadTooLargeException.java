package io.virta.bus;

/** A payload that does not fit in one cell. The channel is left as it was. */
public final class PayloadTooLargeException extends BusException {
    public PayloadTooLargeException(String name, long size, long capacity) {
        super("payload of " + size + " bytes does not fit channel '" + name + "', whose cells hold "
                + capacity + " bytes: create the channel with a larger cell capacity");
    }
}
