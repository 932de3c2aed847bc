package io.virta.bus;

/** Another live writer owns the channel name, or another process is taking it over right now. */
public final class ChannelBusyException extends BusException {
    public ChannelBusyException(String name, long pid) {
        super("channel '" + name + "' already has a live writer (pid " + pid
                + "): stop that process, or choose another channel name");
    }

    /** Busy for another reason than a live writer, which {@code why} says. */
    public ChannelBusyException(String name, String why) {
        super("channel '" + name + "' is busy: " + why);
    }
}
