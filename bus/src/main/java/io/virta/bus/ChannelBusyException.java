package io.virta.bus;

/** Another live writer owns the channel name. */
public final class ChannelBusyException extends BusException {
    public ChannelBusyException(String name, long pid) {
        super("channel '" + name + "' already has a live writer (pid " + pid
                + "): stop that process, or choose another channel name");
    }
}
