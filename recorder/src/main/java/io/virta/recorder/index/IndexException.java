package io.virta.recorder.index;

/** The index cannot be read or written; the message names the file and what to do. */
public final class IndexException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IndexException(String message) {
        super(message);
    }

    public IndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
