package io.virta.producer.decode;

/**
 * Receives the pictures a {@link VideoDecoder} produces, in presentation order. The frame is a view
 * of the decoder's buffers, valid only during the call: publish or copy what you keep.
 */
@FunctionalInterface
public interface DecodedFrameListener {
    void onFrame(DecodedFrame frame);

    /** A listener that hands each frame to every one of {@code listeners}, in order. */
    static DecodedFrameListener all(DecodedFrameListener... listeners) {
        DecodedFrameListener[] targets = listeners.clone();
        return frame -> {
            for (DecodedFrameListener target : targets) {
                target.onFrame(frame);
            }
        };
    }
}
