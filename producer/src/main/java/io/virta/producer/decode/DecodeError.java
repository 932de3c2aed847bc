package io.virta.producer.decode;

/** Why a {@link VideoDecoder} skipped a unit or lost a picture; each kind has its own counter. */
public enum DecodeError {
    /** The unit's codec is not the one the decoder was made for. */
    WRONG_CODEC,
    /** The unit holds no bytes. */
    EMPTY_UNIT,
    /** avcodec refused the unit ({@code avcodec_send_packet} failed): corrupt or unsupported data. */
    REJECTED_UNIT,
    /** avcodec failed while producing a picture ({@code avcodec_receive_frame} failed). */
    FRAME_FAILED
}
