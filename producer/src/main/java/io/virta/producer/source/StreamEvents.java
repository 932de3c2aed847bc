package io.virta.producer.source;

/** What a camera source reports besides frames: going online and offline. Called on its I/O thread. */
public interface StreamEvents {
    void onOnline(String camera, boolean overTcp);

    /** {@code reason} is for people: it says what went wrong and, when it helps, what to do. */
    void onOffline(String camera, String reason);

    StreamEvents NONE = new StreamEvents() {
        @Override
        public void onOnline(String camera, boolean overTcp) {
        }

        @Override
        public void onOffline(String camera, String reason) {
        }
    };
}
