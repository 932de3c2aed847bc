package io.virta.hub.journal;

/** The journal cannot be opened, written or read; the message names the directory and the cause. */
public final class JournalException extends RuntimeException {
    public JournalException(String message) {
        super(message);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
