package io.virta.recorder.store;

import io.virta.recorder.format.SegmentFormatException;
import io.virta.recorder.format.SegmentHeader;
import io.virta.recorder.format.SegmentHeaderDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static io.virta.recorder.format.RecordDescriptor.*;

/**
 * Reads the records of one segment file in order, checking each checksum (docs/recording-format.md
 * section 4.3). A cursor: {@link #next()} moves to the next intact frame and its fields are then
 * readable until the following call.
 *
 * <p><b>Hostile input:</b> any bytes after a valid header are survived. A damaged record is counted
 * ({@link #damagedRecords()}, {@link #skippedBytes()}), never thrown: in {@link Mode#RESYNC} the reader
 * searches the following 8-byte-aligned offsets for the next intact record and goes on from there; in
 * {@link Mode#STOP_AT_DAMAGE} (recovery of an open segment, section 6) it stops where the damage starts.
 * Only a header that is not one throws ({@link SegmentFormatException} from {@link #open}), and I/O
 * errors of the disk itself.
 *
 * <p><b>Threads:</b> one thread per reader. <b>Allocation:</b> none per record once the payload buffer
 * has grown to the largest frame. <b>Lifetime:</b> close it; the payload buffer is reused by the next
 * {@link #next()}.
 *
 * <pre>{@code
 * try (SegmentReader reader = SegmentReader.open(file, SegmentReader.Mode.RESYNC)) {
 *     while (reader.next()) {
 *         consume(reader.sequence(), reader.captureTimeMicros(), reader.payload());
 *     }
 *     log(reader.end(), reader.damagedRecords());
 * }
 * }</pre>
 */
public final class SegmentReader implements AutoCloseable {
    /** What to do at a damaged record. */
    public enum Mode {
        /** Skip it and resynchronize at the next intact record: for reading and checking sealed segments. */
        RESYNC,
        /** Stop there: for recovery, where everything after the first bad record of an open segment is a torn tail. */
        STOP_AT_DAMAGE
    }

    private static final int SCAN_WINDOW = 64 << 10;

    private final Path file;
    private final FileChannel channel;
    private final SegmentHeader header;
    private final Mode mode;
    private final long fileLength;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer recordHeader = ByteBuffer.allocateDirect(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer payload = ByteBuffer.allocateDirect(64 << 10);
    private ByteBuffer scan;

    private long position = SegmentHeaderDescriptor.LENGTH;
    private long offset = -1;
    private int payloadLength;
    private long captureTimeMicros;
    private long sequence;
    private int flags;
    private SegmentEnd end = SegmentEnd.NONE;
    private long endOffset = -1;
    private long sealedLastSequence = -1;
    private long damagedRecords;
    private long skippedBytes;

    private SegmentReader(Path file, FileChannel channel, SegmentHeader header, Mode mode, long fileLength) {
        this.file = file;
        this.channel = channel;
        this.header = header;
        this.mode = mode;
        this.fileLength = fileLength;
    }

    /**
     * Opens a segment and reads its header.
     *
     * @throws SegmentFormatException naming the file, if its header is missing, damaged or of another version
     */
    public static SegmentReader open(Path file, Mode mode) throws IOException {
        return open(file, mode, Long.MAX_VALUE);
    }

    /**
     * Opens a segment that is being written, reading no record that ends after {@code recordsEnd}: the
     * writer's {@link SegmentWriter#recordsEnd()} or the index's {@code records_end}. Without the limit,
     * a reader could meet a record the writer has only half written and take it for damage.
     */
    public static SegmentReader open(Path file, Mode mode, long recordsEnd) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long length = Math.min(channel.size(), Math.max(recordsEnd, SegmentHeaderDescriptor.LENGTH));
            ByteBuffer page = ByteBuffer.allocate((int) Math.min(length, SegmentHeaderDescriptor.LENGTH));
            while (page.hasRemaining() && channel.read(page, page.position()) >= 0) {
                // read the header whole
            }
            SegmentHeader header = SegmentHeader.decode(page.flip(), file.toString());
            return new SegmentReader(file, channel, header, mode, length);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Moves the cursor to {@code recordOffset}, which the caller trusts to be a record's start (a
     * keyframe offset from the index). A wrong offset reads as damage, not as an exception.
     */
    public void seek(long recordOffset) {
        position = Math.max(SegmentHeaderDescriptor.LENGTH, recordOffset);
        end = SegmentEnd.NONE;
        offset = -1;
    }

    /** Moves to the next intact frame record; false at the end (see {@link #end()}). */
    public boolean next() throws IOException {
        while (end == SegmentEnd.NONE) {
            switch (readRecordAt(position)) {
                case FRAME -> {
                    offset = position;
                    position = nextRecordOffset(position, payloadLength);
                    return true;
                }
                case SEAL -> finish(SegmentEnd.SEALED);
                case UNWRITTEN -> {
                    if (!zerosAreDamage()) {
                        finish(SegmentEnd.UNWRITTEN);
                    } else {
                        damaged();
                    }
                }
                case DAMAGED -> damaged();
            }
        }
        return false;
    }

    /**
     * A sealed file was cut to its records' end, so zeros before that end are damage; in a file still
     * at its preallocated length they are space not yet written.
     */
    private boolean zerosAreDamage() {
        return mode == Mode.RESYNC && fileLength < header.allocatedLength() && position < fileLength;
    }

    private void damaged() throws IOException {
        damagedRecords++;
        if (mode == Mode.STOP_AT_DAMAGE) {
            finish(SegmentEnd.DAMAGED);
            return;
        }
        long resumed = resync(position + ALIGNMENT);
        if (resumed < 0) {
            skippedBytes += fileLength - position;
            finish(SegmentEnd.DAMAGED);
        } else {
            skippedBytes += resumed - position;
            position = resumed;
        }
    }

    private enum Found { FRAME, SEAL, UNWRITTEN, DAMAGED }

    private void finish(SegmentEnd why) {
        end = why;
        endOffset = position;
        offset = -1;
    }

    /** Reads and checks the record at {@code at} by section 4.3's rules; on FRAME the payload and fields are loaded. */
    private Found readRecordAt(long at) throws IOException {
        if (at + HEADER_LENGTH > fileLength) { // rule 1
            return at >= fileLength || allZero(at, fileLength) ? Found.UNWRITTEN : Found.DAMAGED;
        }
        recordHeader.clear();
        while (recordHeader.hasRemaining()) {
            if (channel.read(recordHeader, at + recordHeader.position()) < 0) {
                return Found.UNWRITTEN;
            }
        }
        int magic = recordHeader.getInt(MAGIC_OFFSET);
        // rule 2
        if (magic == 0 && recordHeader.getLong(0) == 0 && recordHeader.getLong(8) == 0
                && recordHeader.getLong(16) == 0 && recordHeader.getLong(24) == 0) {
            return Found.UNWRITTEN;
        }
        if (magic != MAGIC_FRAME && magic != MAGIC_SEAL) { // rule 3, and in order its other checks
            return Found.DAMAGED;
        }
        int length = recordHeader.getInt(PAYLOAD_LENGTH_OFFSET);
        if (length < 0 || length > MAX_PAYLOAD_LENGTH || at + HEADER_LENGTH + length > fileLength
                || (magic == MAGIC_SEAL && length != 0)) {
            return Found.DAMAGED;
        }
        if (payload.capacity() < length) {
            payload = ByteBuffer.allocateDirect(Math.min(Math.max(length, payload.capacity() * 2), MAX_PAYLOAD_LENGTH));
        }
        payload.clear().limit(length);
        while (payload.hasRemaining()) {
            if (channel.read(payload, at + HEADER_LENGTH + payload.position()) < 0) {
                return Found.DAMAGED;
            }
        }
        payload.flip();
        crc.reset();
        recordHeader.clear().limit(CHECKSUMMED_HEADER_LENGTH);
        crc.update(recordHeader);
        recordHeader.clear();
        crc.update(payload);
        payload.flip();
        if ((int) crc.getValue() != recordHeader.getInt(CHECKSUM_OFFSET)) {
            return Found.DAMAGED;
        }
        if (magic == MAGIC_SEAL) { // rule 4
            sealedLastSequence = recordHeader.getLong(SEQUENCE_OFFSET);
            return Found.SEAL;
        }
        payloadLength = length;
        captureTimeMicros = recordHeader.getLong(CAPTURE_TIME_MICROS_OFFSET);
        sequence = recordHeader.getLong(SEQUENCE_OFFSET);
        flags = recordHeader.getInt(FLAGS_OFFSET);
        return Found.FRAME;
    }

    /** The first offset at or after {@code from} where an intact frame or seal starts, or -1. */
    private long resync(long from) throws IOException {
        if (scan == null) {
            scan = ByteBuffer.allocateDirect(SCAN_WINDOW).order(ByteOrder.LITTLE_ENDIAN);
        }
        long windowStart = alignUp(from);
        while (windowStart + HEADER_LENGTH <= fileLength) {
            scan.clear().limit((int) Math.min(SCAN_WINDOW, fileLength - windowStart));
            while (scan.hasRemaining() && channel.read(scan, windowStart + scan.position()) >= 0) {
                // fill the window
            }
            int filled = scan.position();
            for (int i = 0; i + Integer.BYTES <= filled; i += ALIGNMENT) {
                int magic = scan.getInt(i);
                if ((magic == MAGIC_FRAME || magic == MAGIC_SEAL)) {
                    Found found = readRecordAt(windowStart + i);
                    if (found == Found.FRAME || found == Found.SEAL) {
                        return windowStart + i;
                    }
                }
            }
            windowStart += filled - filled % ALIGNMENT;
            if (filled < ALIGNMENT) {
                break;
            }
        }
        return -1;
    }

    private boolean allZero(long from, long to) throws IOException {
        ByteBuffer tail = ByteBuffer.allocate((int) (to - from));
        while (tail.hasRemaining() && channel.read(tail, from + tail.position()) >= 0) {
            // read the few bytes left
        }
        for (int i = 0; i < tail.position(); i++) {
            if (tail.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    public Path file() {
        return file;
    }

    public Mode mode() {
        return mode;
    }

    public SegmentHeader header() {
        return header;
    }

    /** The current record's offset in the file; -1 when there is none. */
    public long offset() {
        return offset;
    }

    /** The current frame's payload: position 0, limit its length, valid until the next call. */
    public ByteBuffer payload() {
        return payload;
    }

    public int payloadLength() {
        return payloadLength;
    }

    public long captureTimeMicros() {
        return captureTimeMicros;
    }

    public long sequence() {
        return sequence;
    }

    public int flags() {
        return flags;
    }

    public boolean isKeyframe() {
        return (flags & FLAG_KEYFRAME) != 0;
    }

    /** Why reading stopped; {@link SegmentEnd#NONE} while frames remain. */
    public SegmentEnd end() {
        return end;
    }

    /**
     * Where trusted records end once {@link #end()} is set: the seal's offset, the first unwritten byte,
     * or the first damaged record (in {@link Mode#STOP_AT_DAMAGE}).
     */
    public long endOffset() {
        return endOffset;
    }

    /** The last frame's sequence number as the seal states it, or -1 when no seal was read. */
    public long sealedLastSequence() {
        return sealedLastSequence;
    }

    public long damagedRecords() {
        return damagedRecords;
    }

    /** Bytes passed over while resynchronizing (or left after the last intact record). */
    public long skippedBytes() {
        return skippedBytes;
    }

    public long fileLength() {
        return fileLength;
    }
}
