package io.virta.recorder.ingest;

import java.io.IOException;

/**
 * Told by a {@link ChannelRecorder}'s thread around each append: for tests that stall the store or
 * need to know what reached the kernel. Called on the camera's thread, once per frame: it must not
 * allocate nor block, unless the test means it to.
 */
public interface AppendObserver {
    AppendObserver NONE = new AppendObserver() { };

    /**
     * Before the frame with this bus sequence number is appended.
     *
     * @throws IOException to act as a store that refuses the write (the camera pauses)
     */
    default void beforeAppend(long sequence) throws IOException {
    }

    /** After the frame was appended and found intact: it is with the kernel, a SIGKILL cannot lose it. */
    default void appended(long sequence) {
    }
}
