package io.virta.recorder.store;

import java.io.IOException;

/** The store's directory is no longer where it was opened (see {@link StoreIdentity}); the message says what to do. */
public final class StoreMissingException extends IOException {
    private static final long serialVersionUID = 1L;

    public StoreMissingException(String message) {
        super(message);
    }
}
