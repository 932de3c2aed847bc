package io.virta.recorder.index;

/** The index cannot be read or written; the message names the file and what to do. */
public final class IndexException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the index failed, so that a store can tell what it may rebuild. */
    public enum Reason {
        /** The file is no SQLite database, or a damaged one: moving it away and rebuilding loses nothing. */
        UNREADABLE,
        /** The index is of another schema version: a newer Virta may own the store; leave it alone. */
        OTHER_VERSION,
        /** Reading or writing failed (disk full, permissions). */
        IO
    }

    private final Reason reason;

    public IndexException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public IndexException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
