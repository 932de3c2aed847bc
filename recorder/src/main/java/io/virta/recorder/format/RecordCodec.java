package io.virta.recorder.format;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static io.virta.recorder.format.RecordDescriptor.*;

/**
 * Fills a record header (docs/recording-format.md section 4) in a caller's 32-byte little-endian
 * buffer, checksum included. Allocation-free and stateless: the caller owns the buffer and the
 * {@link CRC32C}, one of each per writing thread.
 */
public final class RecordCodec {
    private RecordCodec() {
    }

    /**
     * Fills {@code header} (position 0, limit 32 on return) for a frame whose payload is {@code payload}'s
     * remaining bytes; {@code payload}'s position is unchanged on return.
     */
    public static void encodeFrame(ByteBuffer header, CRC32C crc, ByteBuffer payload, long captureTimeMicros,
                                   long sequence, int flags) {
        fill(header, MAGIC_FRAME, payload.remaining(), captureTimeMicros, sequence, flags);
        int start = payload.position();
        crc.reset();
        crc.update(header.limit(CHECKSUMMED_HEADER_LENGTH));
        crc.update(payload);
        payload.position(start);
        header.clear().putInt(CHECKSUM_OFFSET, (int) crc.getValue());
    }

    /**
     * Fills {@code header} with the seal (section 4.2): the segment's last capture time and the bus
     * sequence number of its last frame (0 for a segment without frames).
     */
    public static void encodeSeal(ByteBuffer header, CRC32C crc, long lastCaptureMicros, long lastSequence) {
        fill(header, MAGIC_SEAL, 0, lastCaptureMicros, lastSequence, 0);
        crc.reset();
        crc.update(header.limit(CHECKSUMMED_HEADER_LENGTH));
        header.clear().putInt(CHECKSUM_OFFSET, (int) crc.getValue());
    }

    private static void fill(ByteBuffer header, int magic, int length, long captureTimeMicros, long sequence,
                             int flags) {
        header.clear();
        header.putInt(MAGIC_OFFSET, magic)
                .putInt(PAYLOAD_LENGTH_OFFSET, length)
                .putLong(CAPTURE_TIME_MICROS_OFFSET, captureTimeMicros)
                .putLong(SEQUENCE_OFFSET, sequence)
                .putInt(FLAGS_OFFSET, flags)
                .putInt(CHECKSUM_OFFSET, 0);
        header.position(0);
    }
}
