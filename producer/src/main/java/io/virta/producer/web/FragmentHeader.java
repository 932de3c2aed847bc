package io.virta.producer.web;

import io.netty.buffer.ByteBuf;

/**
 * The header in front of every binary WebSocket message of a camera stream; the MP4 bytes follow it.
 * It carries what the browser cannot read from the MP4 without parsing it: which kind of segment it
 * is, and the capture time of the fragment's picture beside its time on the video's media timeline,
 * so the page can tell the capture time of the frame on screen (for event overlays and latency).
 *
 * <pre>
 * offset size  field
 *  0     1     kind: {@link #INIT} (ftyp+moov follow) or {@link #FRAGMENT} (moof+mdat follow)
 *  1     1     flags: bit 0 {@link #KEYFRAME}
 *  2     2     header length in bytes ({@link #LENGTH}); the MP4 starts there, later fields may be added
 *  4     8     capture time, milliseconds since the Unix epoch (float64); 0 for an init segment
 * 12     8     decode time on the media timeline, seconds (float64, tfdt / 90000); 0 for an init segment
 * 20     n     init segment only: its RFC 6381 codecs string in ASCII (e.g. avc1.42C01E), n = header length - 20
 * hlen   ...   the segment
 * </pre>
 *
 * All fields are big-endian (JavaScript's DataView default).
 */
final class FragmentHeader {
    static final int INIT = 1;
    static final int FRAGMENT = 2;
    static final int KEYFRAME = 1;
    static final int KIND_OFFSET = 0;
    static final int FLAGS_OFFSET = 1;
    static final int LENGTH_OFFSET = 2;
    static final int CAPTURE_MILLIS_OFFSET = 4;
    static final int MEDIA_SECONDS_OFFSET = 12;
    static final int LENGTH = 20;

    private FragmentHeader() {
    }

    static void writeFragment(ByteBuf out, boolean keyframe, double captureMillis, double mediaSeconds) {
        out.writeByte(FRAGMENT).writeByte(keyframe ? KEYFRAME : 0).writeShort(LENGTH)
                .writeDouble(captureMillis).writeDouble(mediaSeconds);
    }

    /** {@code codecs}: ASCII, so one byte per character. */
    static void writeInit(ByteBuf out, String codecs) {
        out.writeByte(INIT).writeByte(0).writeShort(LENGTH + codecs.length()).writeDouble(0).writeDouble(0)
                .writeCharSequence(codecs, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
