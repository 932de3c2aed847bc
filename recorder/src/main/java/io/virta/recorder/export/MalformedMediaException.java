package io.virta.recorder.export;

/**
 * Recorded bytes that do not parse as the codec says (a parameter set cut short, an exp-Golomb code
 * longer than 32 bits, a payload without a start code): the one error the export's parsers throw on
 * hostile input. The message names the field; the caller adds the camera and segment.
 */
public final class MalformedMediaException extends Exception {
    public MalformedMediaException(String message) {
        super(message);
    }
}
