package io.virta.recorder.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One camera's export as a virtual file (docs/recording-format.md section 11): its {@link #length()} and
 * any byte range of it are known without making the rest, so an HTTP server answers Range requests and a
 * browser's {@code <video>} seeks in it, while only the frame table and the metadata (about 50 bytes a
 * frame) are in memory. The samples are read from the segment files when a range is asked for: each NAL unit goes out
 * byte-exact behind its 4-byte length. To a file or a socket, units of {@value #DIRECT_TRANSFER} bytes or
 * more go straight from the segment file to the target with {@link FileChannel#transferTo} (sendfile,
 * copy_file_range), and smaller ones as slices of the segment file mapped into memory, gathered with their
 * length prefixes into one write of many buffers: either way the kernel copies each byte once. To any
 * other gathering channel (the manifest's hashing one) every unit goes the mapped way; to the rest,
 * through a buffer filled by large reads of the segment file.
 *
 * <p><b>Threads:</b> {@link #transferTo} may be called by several threads at once (each call reads with
 * positional reads and has its own buffers, about 1.3 MiB, so call it for large ranges, not per frame).
 * <b>Lifetime:</b> the export holds the segment files it reads open (one descriptor per segment: about 1440
 * for a day of 60 s segments), so a segment that retention deletes meanwhile stays readable until
 * {@link #close()}; close it when the download is done.
 *
 * <pre>{@code
 * try (StoreView store = StoreView.open(dir);
 *      ExportFile export = Exporter.plan(store, new ExportRequest("lobby", from, to, ExportFormat.MP4))) {
 *     response.header("Content-Length", export.length()).header("Content-Type", export.contentType());
 *     export.transferTo(rangeStart, rangeLength, socketChannel);
 * }
 * }</pre>
 */
public final class ExportFile implements AutoCloseable {
    /** NAL units at least this long skip the buffer: transferTo moves them in the kernel. */
    static final int DIRECT_TRANSFER = 128 << 10;
    private static final int WINDOW = 1 << 20;
    private static final int OUT = 256 << 10;
    /** Buffers per gathering write: IOV_MAX on Linux is 1024. */
    private static final int GATHER = 1024;

    private final ExportPlan plan;
    private final Layout layout;
    /** Where frame {@code i}'s prelude starts in the file; entry {@code size} is where the tail starts. */
    private final long[] frameStart;
    private final long length;

    ExportFile(ExportPlan plan, Layout layout) {
        this.plan = plan;
        this.layout = layout;
        FrameTable frames = plan.frames();
        frameStart = new long[frames.size() + 1];
        long position = layout.head().length;
        for (int i = 0; i < frames.size(); i++) {
            frameStart[i] = position;
            position += layout.preludeLength(i) + frames.bodyLength(i);
        }
        frameStart[frames.size()] = position;
        length = position + layout.tail().length;
    }

    /** The file's length in bytes. */
    public long length() {
        return length;
    }

    public ExportFormat format() {
        return plan.request().format();
    }

    /** The HTTP Content-Type: {@code video/mp4} or {@code video/x-matroska}. */
    public String contentType() {
        return format().contentType();
    }

    /** What the file holds: camera, range, frames, gaps, sources, damage (its manifest). */
    public ExportSummary summary() {
        return plan.summary();
    }

    /**
     * A strong HTTP entity tag: the same for every plan of the same frames into the same container (the
     * same request replanned while nothing was added or deleted), different otherwise (the open segment
     * grew into the range, retention deleted a segment of it). For {@code If-Range} and {@code If-None-Match}.
     */
    public String etag() {
        MessageDigest digest = ExportManifest.sha256();
        ByteBuffer fields = ByteBuffer.allocate(64);
        fields.putLong(length).putLong(plan.request().fromMicros()).putLong(plan.request().toMicros())
                .putInt(format().ordinal()).putInt(plan.frames().size());
        FrameTable frames = plan.frames();
        int last = frames.size() - 1;
        fields.putLong(frames.captureMicros(0)).putLong(frames.captureMicros(last)).putLong(frames.payloadOffset(last));
        digest.update(fields.flip());
        digest.update(plan.request().camera().getBytes(StandardCharsets.US_ASCII));
        for (ExportPlan.Source source : plan.segments()) {
            digest.update(ByteBuffer.allocate(Long.BYTES).putLong(0, source.row().id()));
        }
        return "\"" + HexFormat.of().formatHex(digest.digest(), 0, 16) + "\"";
    }

    /** A file name for it: {@code CAMERA-20261207T101500Z.mp4}, from the first frame shown. */
    public String suggestedFileName() {
        String time = Instants.format(plan.summary().firstCaptureMicros()).replaceAll("[-:]", "")
                .replaceAll("\\.\\d+", "");
        return plan.request().camera() + "-" + time + "." + format().extension();
    }

    /**
     * Writes bytes {@code [position, position + count)} of the file (clipped to its length) to
     * {@code target}, which must be blocking.
     *
     * @return the bytes written: {@code min(count, length() - position)}, or 0 past the end
     * @throws IOException from the target, or a segment file that can no longer be read as planned
     */
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("position " + position + " and count " + count + " must not be negative");
        }
        long end = Math.min(length, position + Math.min(count, Long.MAX_VALUE - position));
        if (position >= end) {
            return 0;
        }
        new Writer(target).write(position, end);
        return end - position;
    }

    /**
     * Writes the whole file to {@code out} and its manifest beside it ({@code out.json}, {@code out.sha256};
     * section 11.6), each through a temporary file renamed into place when complete.
     */
    public ExportResult writeTo(Path out) throws IOException {
        return ExportManifest.write(this, out);
    }

    @Override
    public void close() throws IOException {
        plan.close();
    }

    /** Copies one range: buffers for one call. */
    private final class Writer {
        private final WritableByteChannel target;
        private final ByteBuffer out = ByteBuffer.allocateDirect(OUT);
        private final ByteBuffer window = ByteBuffer.allocateDirect(WINDOW);
        private final ByteBuffer lengthPrefix = ByteBuffer.allocate(Integer.BYTES);
        private int windowSegment = -1;
        private long windowStart;
        private int windowLength;

        /**
         * True where {@link FileChannel#transferTo} copies in the kernel (to a file or a socket); to other
         * channels the JDK copies through 8 KiB buffers, slower than the window.
         */
        private final boolean kernelCopies;
        /**
         * To a file or a socket, NAL units go out as slices of the segment files mapped into memory, gathered
         * with the length prefixes into one write of up to {@value #GATHER} buffers: the kernel copies each
         * byte once, from the page cache, as {@code cat} does. {@link #out} holds the prefixes and literal
         * bytes meanwhile; its bytes since {@link #gatheredUpTo} are not yet in {@link #gather}.
         */
        private final ByteBuffer[] gather;
        private int gathered;
        private int gatheredUpTo;
        private final java.nio.MappedByteBuffer[] mapped;

        Writer(WritableByteChannel target) {
            this.target = target;
            this.kernelCopies = target instanceof FileChannel || target instanceof SocketChannel;
            boolean gathers = target instanceof java.nio.channels.GatheringByteChannel;
            this.gather = gathers ? new ByteBuffer[GATHER] : null;
            this.mapped = gathers ? new java.nio.MappedByteBuffer[plan.segments().size()] : null;
        }

        void write(long from, long to) throws IOException {
            byte[] head = layout.head();
            long cursor = from;
            if (cursor < head.length) {
                cursor += literal(head, 0, head.length, 0, cursor, to);
            }
            FrameTable frames = plan.frames();
            int index = Arrays.binarySearch(frameStart, cursor);
            int frame = index >= 0 ? index : -index - 2;
            while (cursor < to && frame < frames.size()) {
                long start = frameStart[frame];
                int prelude = layout.preludeLength(frame);
                if (prelude > 0) {
                    cursor += literal(layout.preludes(), layout.preludeStart()[frame], prelude, start, cursor, to);
                }
                if (cursor < to) {
                    cursor += sample(frame, start + prelude, cursor, to);
                }
                frame++;
            }
            if (cursor < to) {
                cursor += literal(layout.tail(), 0, layout.tail().length, frameStart[frames.size()], cursor, to);
            }
            flush();
        }

        /** Writes the part of {@code bytes[offset, offset+length)}, which lies at file position {@code at}, in [cursor, to). */
        private long literal(byte[] bytes, int offset, int length, long at, long cursor, long to) throws IOException {
            long from = Math.max(cursor, at);
            long until = Math.min(to, at + length);
            if (from >= until) {
                return 0;
            }
            int skip = (int) (from - at);
            int count = (int) (until - from);
            for (int done = 0; done < count; ) {
                if (!out.hasRemaining()) {
                    flush();
                }
                int chunk = Math.min(count - done, out.remaining());
                out.put(bytes, offset + skip + done, chunk);
                done += chunk;
            }
            return count;
        }

        /** Writes the part of frame {@code frame}'s sample, which starts at file position {@code at}, in [cursor, to). */
        private long sample(int frame, long at, long cursor, long to) throws IOException {
            FrameTable frames = plan.frames();
            int segment = frames.segment(frame);
            long payload = frames.payloadOffset(frame);
            long written = 0;
            long position = at;
            for (int unit = frames.firstUnit(frame); unit < frames.endUnit(frame) && position < to; unit++) {
                int unitLength = frames.unitLength(unit);
                if (position + Integer.BYTES > cursor) {
                    lengthPrefix.clear();
                    lengthPrefix.putInt(0, unitLength);
                    int skip = (int) Math.max(0, cursor - position);
                    int count = (int) Math.min(Integer.BYTES, to - position) - skip;
                    if (out.remaining() < Integer.BYTES) {
                        flush();
                    }
                    out.put(lengthPrefix.array(), skip, count);
                    written += count;
                }
                position += Integer.BYTES;
                long from = Math.max(cursor, position);
                long until = Math.min(to, position + unitLength);
                if (from < until) {
                    long fileOffset = payload + frames.unitOffset(unit) + (from - position);
                    copy(segment, fileOffset, (int) (until - from));
                    written += until - from;
                }
                position += unitLength;
            }
            return written;
        }

        /** Writes {@code count} bytes of segment {@code segment} from {@code fileOffset}. */
        private void copy(int segment, long fileOffset, int count) throws IOException {
            FileChannel channel = plan.segments().get(segment).channel();
            // A buffer maps at most 2 GiB: a bigger segment (segmentBytes up to 4 GiB) goes through the window.
            if (gather != null && (count < DIRECT_TRANSFER || !kernelCopies) && fileOffset + count <= Integer.MAX_VALUE) {
                java.nio.MappedByteBuffer file = mapped[segment];
                if (file == null || fileOffset + count > file.capacity()) {
                    long size = Math.min(channel.size(), Integer.MAX_VALUE);
                    if (fileOffset + count > size) {
                        throw shrank(segment, size);
                    }
                    file = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
                    mapped[segment] = file;
                }
                // Room for the bytes in out, this slice, and the bytes in out that the next flush adds.
                if (gathered + 3 > GATHER) {
                    flush();
                }
                gatherOut();
                gather[gathered++] = file.slice((int) fileOffset, count);
                return;
            }
            if (count >= DIRECT_TRANSFER && kernelCopies) {
                flush();
                long done = 0;
                while (done < count) {
                    long moved = channel.transferTo(fileOffset + done, count - done, target);
                    if (moved <= 0) {
                        throw shrank(segment, fileOffset + done);
                    }
                    done += moved;
                }
                return;
            }
            for (int done = 0; done < count; ) {
                long at = fileOffset + done;
                int needed = Math.min(count - done, WINDOW);
                if (segment != windowSegment || at < windowStart || at + needed > windowStart + windowLength) {
                    fill(segment, channel, at, needed);
                }
                if (!out.hasRemaining()) {
                    flush();
                }
                int chunk = Math.min(needed, out.remaining());
                out.put(out.position(), window, (int) (at - windowStart), chunk);
                out.position(out.position() + chunk);
                done += chunk;
            }
        }

        /** Reads the segment file from {@code fileOffset} into the window: one read serves many small frames. */
        private void fill(int segment, FileChannel channel, long fileOffset, int needed) throws IOException {
            window.clear();
            while (window.position() < needed) {
                if (channel.read(window, fileOffset + window.position()) < 0) {
                    throw shrank(segment, fileOffset + window.position());
                }
            }
            windowSegment = segment;
            windowStart = fileOffset;
            windowLength = window.position();
        }

        private IOException shrank(int segment, long offset) {
            return new IOException(plan.segments().get(segment).row().file() + " of camera " + plan.request().camera()
                    + " ends before offset " + offset + ", where planning found a frame: the file was cut meanwhile."
                    + " Export the range again.");
        }

        /** Adds the bytes put in {@link #out} since the last call to the gathering write. */
        private void gatherOut() {
            if (out.position() > gatheredUpTo) {
                gather[gathered++] = out.slice(gatheredUpTo, out.position() - gatheredUpTo);
                gatheredUpTo = out.position();
            }
        }

        private void flush() throws IOException {
            if (gather != null && gathered > 0) {
                gatherOut();
                java.nio.channels.GatheringByteChannel sink = (java.nio.channels.GatheringByteChannel) target;
                int first = 0;
                while (first < gathered) {
                    sink.write(gather, first, gathered - first);
                    while (first < gathered && !gather[first].hasRemaining()) {
                        first++;
                    }
                }
                java.util.Arrays.fill(gather, 0, gathered, null);
                gathered = 0;
                gatheredUpTo = 0;
                out.clear();
                return;
            }
            out.flip();
            while (out.hasRemaining()) {
                target.write(out);
            }
            out.clear();
            gatheredUpTo = 0;
        }
    }
}
