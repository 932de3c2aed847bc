package io.virta.producer.daemon;

/** {@link Producer#add} of a camera whose name another camera has. */
public final class CameraExistsException extends IllegalArgumentException {
    public CameraExistsException(String name) {
        super("camera '" + name + "' exists already; names must be unique (remove it first to replace it)");
    }
}
