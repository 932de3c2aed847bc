package io.virta.producer.source.ffmpeg;

/** An input cannot be opened or read; the message is for people and names the camera and the input. */
final class InputException extends Exception {
    InputException(String message) {
        super(message, null, false, false);
    }
}
