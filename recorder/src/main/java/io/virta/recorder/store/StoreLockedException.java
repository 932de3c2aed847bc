package io.virta.recorder.store;

import java.io.IOException;

/** Another recorder holds the store (docs/recording-format.md section 2.1); the message names the store and its pid. */
public final class StoreLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long holderPid;

    public StoreLockedException(String message, long holderPid) {
        super(message);
        this.holderPid = holderPid;
    }

    /** The pid the lock file names, or -1 where it named none. */
    public long holderPid() {
        return holderPid;
    }
}
