package io.virta.viewer.gl;

/** The viewer cannot start or go on; the message says why and what to do. Exit status 1. */
public final class ViewerException extends RuntimeException {
    public ViewerException(String message) {
        super(message);
    }

    public ViewerException(String message, Throwable cause) {
        super(message, cause);
    }
}
