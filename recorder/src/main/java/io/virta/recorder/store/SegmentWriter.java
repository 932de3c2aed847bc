package io.virta.recorder.store;

import io.virta.recorder.format.RecordCodec;
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
 * Appends frames to one preallocated segment file (docs/recording-format.md sections 3 to 5), then
 * seals it.
 *
 * <p><b>Threads:</b> one thread appends, syncs and seals; the getters may be read by others only as
 * hints (plain fields). <b>Allocation:</b> {@link #append} allocates nothing: the record header and
 * padding live in direct buffers made once, the checksum object is reused, and the payload goes from
 * the caller's buffer to the file with no copy in between. Give a direct buffer (a bus cell's
 * {@code Frame.payloadBuffer()}): a heap buffer costs the JDK's extra copy. <b>Lifetime:</b>
 * {@link #create} preallocates the file and writes its header; {@link #seal} ends it for good;
 * {@link #close} without sealing leaves it as a crash would, for recovery to adopt.
 *
 * <p><b>Durability:</b> a frame is handed to the kernel when {@link #append} returns, so a SIGKILL of
 * this process cannot lose it. It is on the disk after the next {@code force}: {@link #syncIfDue} runs
 * one when the last is {@code syncInterval} old, and {@link #syncedOffset()} says how far the file is
 * durable (section 5.2).
 *
 * <pre>{@code
 * try (SegmentWriter writer = SegmentWriter.create(file, header, Duration.ofSeconds(1).toNanos())) {
 *     if (writer.fits(frame.payloadSize())) {
 *         writer.append(frame.payloadBuffer(), frame.captureTimeMicros(), frame.sequence(), frame.flags());
 *         writer.syncIfDue(System.nanoTime());
 *     }
 *     writer.seal();
 * }
 * }</pre>
 */
public final class SegmentWriter implements AutoCloseable {
    private final Path file;
    private final SegmentHeader header;
    private final FileChannel channel;
    private final long syncIntervalNanos;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer recordHeader = ByteBuffer.allocateDirect(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer padding = ByteBuffer.allocateDirect(ALIGNMENT);

    private long recordsEnd = SegmentHeaderDescriptor.LENGTH;
    private long lastRecordOffset = -1;
    private long frames;
    private long firstCaptureMicros = Long.MIN_VALUE;
    private long lastCaptureMicros = Long.MIN_VALUE;
    private long lastSequence;
    /** The frame before the last, for {@link #discardLast}. */
    private long previousCaptureMicros = Long.MIN_VALUE;
    private long previousSequence;
    private long syncedOffset;
    private long syncedFrames;
    private long lastSyncNanos;
    private boolean sealed;
    private boolean closed;
    /**
     * Whether bytes past the end of the records may be other than zero: after a record was taken back
     * or a write failed, the next record's padding must be written; otherwise the preallocated space
     * there is zero already (section 2.3) and the padding costs no system call.
     */
    private boolean tailDirty;

    private SegmentWriter(Path file, SegmentHeader header, FileChannel channel, long syncIntervalNanos) {
        this.file = file;
        this.header = header;
        this.channel = channel;
        this.syncIntervalNanos = syncIntervalNanos;
        this.lastSyncNanos = System.nanoTime();
    }

    /**
     * Preallocates {@code file} to {@code header.allocatedLength()}, writes the header and forces it
     * (section 6, step 4 relies on a header that is whole before any record). The caller syncs the
     * directory so that the new name survives a power cut.
     *
     * @throws IOException naming the file, when it exists already, the disk is full, or it cannot be written
     */
    public static SegmentWriter create(Path file, SegmentHeader header, long syncIntervalNanos) throws IOException {
        if (java.nio.file.Files.exists(file)) {
            throw new IOException(file + " exists already; segment ids are never reused, so the store's index is"
                    + " behind its files. Restart the recorder: recovery adopts the file.");
        }
        Preallocator.preallocate(file, header.allocatedLength());
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            ByteBuffer page = ByteBuffer.allocateDirect(SegmentHeaderDescriptor.LENGTH);
            header.encode(page);
            while (page.hasRemaining()) {
                channel.write(page, page.position());
            }
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        SegmentWriter writer = new SegmentWriter(file, header, channel, syncIntervalNanos);
        writer.syncedOffset = SegmentHeaderDescriptor.LENGTH;
        return writer;
    }

    /** True when a frame of this many bytes and the seal still fit in the preallocated space. */
    public boolean fits(int payloadLength) {
        return nextRecordOffset(recordsEnd, payloadLength) + HEADER_LENGTH <= header.allocatedLength();
    }

    /** Positional writes: the records' end is this writer's own count, not the channel's position. */
    private void writeFully(ByteBuffer bytes, long at) throws IOException {
        int start = bytes.position();
        while (bytes.hasRemaining()) {
            channel.write(bytes, at + bytes.position() - start);
        }
    }

    /**
     * Appends one frame: the payload is {@code payload}'s remaining bytes; its position is as before on
     * return. Returns the record's offset in the file (the index keeps it for keyframes).
     *
     * @throws IllegalStateException if the frame does not {@link #fits fit} or the segment is sealed
     * @throws IOException if the kernel refuses the write (disk error); the segment should then be closed
     */
    public long append(ByteBuffer payload, long captureTimeMicros, long sequence, int flags) throws IOException {
        int length = payload.remaining();
        if (sealed || closed || !fits(length)) {
            throw new IllegalStateException(file + ": " + (sealed || closed ? "segment is sealed"
                    : "a frame of " + length + " bytes does not fit; check fits() and start a new segment"));
        }
        // Section 5.1, steps 2 and 3: header and checksum, then header, payload and padding written back to back.
        // Separate writes rather than one gathering write: FileChannel.write(ByteBuffer[]) allocates a releaser
        // (about 40 bytes) for every buffer over a closeable memory segment, which a bus cell's buffer is;
        // the single-buffer write does not. The padding is written only where the space may not be zero.
        long offset = recordsEnd;
        int payloadStart = payload.position();
        RecordCodec.encodeFrame(recordHeader, crc, payload, captureTimeMicros, sequence, flags);
        long end = nextRecordOffset(offset, length);
        padding.clear().limit((int) (end - offset - HEADER_LENGTH - length));
        try {
            writeFully(recordHeader, offset);
            writeFully(payload, offset + HEADER_LENGTH);
            if (tailDirty) {
                writeFully(padding, offset + HEADER_LENGTH + length);
            }
            tailDirty = false;
        } catch (IOException refused) {
            // A part of the record may be in the file: the next one goes where this one started, over it.
            tailDirty = true;
            throw diskError("write a frame to", refused);
        } finally {
            payload.position(payloadStart);
        }
        recordsEnd = end;
        lastRecordOffset = offset;
        previousCaptureMicros = lastCaptureMicros;
        previousSequence = lastSequence;
        frames++;
        if (firstCaptureMicros == Long.MIN_VALUE) {
            firstCaptureMicros = captureTimeMicros;
        }
        lastCaptureMicros = captureTimeMicros;
        lastSequence = sequence;
        return offset;
    }

    /**
     * Takes back the last record, for a frame the caller found overwritten after writing it (a bus cell
     * reused mid-write: {@code Frame.isIntact()} false). Zeroes its first 32 bytes, so a reader ends
     * there, and the next record goes in its place. Returns false when there was no record to take back
     * (only the last one can be).
     */
    public boolean discardLast() throws IOException {
        if (lastRecordOffset < 0) {
            return false;
        }
        padding.clear();
        recordHeader.clear();
        for (int i = 0; i < HEADER_LENGTH; i += Long.BYTES) {
            recordHeader.putLong(i, 0);
        }
        while (recordHeader.hasRemaining()) {
            channel.write(recordHeader, lastRecordOffset + recordHeader.position());
        }
        recordsEnd = lastRecordOffset;
        tailDirty = true; // the taken-back payload is still there, after the zeroed header
        lastRecordOffset = -1;
        frames--;
        lastCaptureMicros = previousCaptureMicros;
        lastSequence = previousSequence;
        if (frames == 0) {
            firstCaptureMicros = Long.MIN_VALUE;
        }
        syncedOffset = Math.min(syncedOffset, recordsEnd);
        return true;
    }

    /** Forces the file if the last force is {@code syncInterval} old or more; returns true if it did. */
    public boolean syncIfDue(long nowNanos) throws IOException {
        if (nowNanos - lastSyncNanos < syncIntervalNanos || syncedOffset == recordsEnd) {
            return false;
        }
        sync(nowNanos);
        return true;
    }

    /** Forces everything appended so far to the disk (fdatasync). */
    public void sync(long nowNanos) throws IOException {
        long end = recordsEnd;
        long count = frames;
        try {
            channel.force(false);
        } catch (IOException refused) {
            throw diskError("force", refused);
        }
        syncedOffset = end;
        syncedFrames = count;
        lastSyncNanos = nowNanos;
    }

    /**
     * Writes the seal record (section 4.2), cuts the unused preallocated space off, and forces data and
     * size. A sealed segment is never written again.
     */
    public void seal() throws IOException {
        if (sealed || closed) {
            return;
        }
        RecordCodec.encodeSeal(recordHeader, crc, lastCaptureMicros == Long.MIN_VALUE
                ? header.startTimeMicros() : lastCaptureMicros, lastSequence);
        while (recordHeader.hasRemaining()) {
            channel.write(recordHeader, recordsEnd + recordHeader.position());
        }
        channel.truncate(recordsEnd + HEADER_LENGTH);
        channel.force(true);
        syncedOffset = recordsEnd;
        syncedFrames = frames;
        sealed = true;
        close();
    }

    private IOException diskError(String what, IOException cause) {
        return new IOException("cannot " + what + " " + file + " (" + cause.getMessage() + "): the disk may be full,"
                + " gone or failing. Free space or check the disk; what was synced before stays readable.", cause);
    }

    /** Closes the file; without {@link #seal()} first it stays open in the format's sense, as after a crash. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }

    public Path file() {
        return file;
    }

    public SegmentHeader header() {
        return header;
    }

    /** Where the next record goes: the end of the records appended so far. */
    public long recordsEnd() {
        return recordsEnd;
    }

    /** The end of the records known to be on the disk (section 5.2): a power cut keeps everything before it. */
    public long syncedOffset() {
        return syncedOffset;
    }

    /** How many frames lie before {@link #syncedOffset()}. */
    public long syncedFrames() {
        return syncedFrames;
    }

    public long frames() {
        return frames;
    }

    /** Capture time of the first frame, or {@code Long.MIN_VALUE} before any. */
    public long firstCaptureMicros() {
        return firstCaptureMicros;
    }

    /** Capture time of the last frame, or {@code Long.MIN_VALUE} before any. */
    public long lastCaptureMicros() {
        return lastCaptureMicros;
    }

    public long lastSequence() {
        return lastSequence;
    }

    public boolean isSealed() {
        return sealed;
    }
}
