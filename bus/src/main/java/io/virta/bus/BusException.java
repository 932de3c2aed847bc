package io.virta.bus;

/** Base of every error the bus reports. Messages name the channel and say what to do. */
public class BusException extends RuntimeException {
    public BusException(String message) {
        super(message);
    }

    public BusException(String message, Throwable cause) {
        super(message, cause);
    }
}
