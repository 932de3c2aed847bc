package io.virta.viewer.layout;

/** A layout file or layout flags that cannot work; the message names the file and field. */
public final class LayoutException extends RuntimeException {
    public LayoutException(String message) {
        super(message);
    }
}
