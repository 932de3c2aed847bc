package io.virta.recorder.format;

import io.virta.bus.ChannelName;
import io.virta.bus.PixelFormat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static io.virta.recorder.format.SegmentHeaderDescriptor.*;

/**
 * What a segment file says about its stream (docs/recording-format.md section 3): which camera, which
 * codec, the parameter sets and resolution every frame in it shares, and when it starts.
 *
 * <p>Immutable and thread-safe. Made once per segment, so it may allocate. {@link #decode} takes any
 * bytes: a header that is not one ends in a {@link SegmentFormatException} that names the file, never
 * in another exception.
 *
 * <pre>{@code
 * SegmentHeader header = new SegmentHeader("lobby", stream, 7, firstCaptureMicros, nowMicros, 64L << 20);
 * header.encode(page);                      // 4096 bytes at the file's offset 0
 * SegmentHeader back = SegmentHeader.decode(page, path.toString());
 * }</pre>
 *
 * @param camera          the camera's name, a bus channel name without the kind (at most 64 characters)
 * @param stream          codec, resolution and parameter sets (at most 3840 bytes of them)
 * @param startTimeMicros capture time of the segment's first frame
 * @param createdMicros   wall-clock time the file was made
 * @param allocatedLength the preallocated file size
 */
public record SegmentHeader(String camera, StreamParameters stream, long segmentId, long startTimeMicros,
                            long createdMicros, long allocatedLength) {

    public SegmentHeader {
        ChannelName.validate(camera);
        if (stream.parameterSets().length > MAX_PARAMETER_SETS_LENGTH) {
            throw new IllegalArgumentException("parameter sets of " + stream.parameterSets().length
                    + " bytes; a segment header holds " + MAX_PARAMETER_SETS_LENGTH);
        }
        if (allocatedLength < LENGTH) {
            throw new IllegalArgumentException("a segment of " + allocatedLength + " bytes cannot hold its header");
        }
    }

    /** Writes the whole {@value SegmentHeaderDescriptor#LENGTH}-byte header at the buffer's offset 0 (absolute puts). */
    public void encode(ByteBuffer page) {
        ByteBuffer out = page.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < LENGTH; i++) {
            out.put(i, (byte) 0);
        }
        out.putLong(MAGIC_OFFSET, MAGIC);
        out.putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        out.putInt(RECORDS_OFFSET_OFFSET, LENGTH);
        byte[] parameterSets = stream.parameterSets();
        out.putInt(CODEC_OFFSET, stream.codec().code());
        out.putInt(WIDTH_OFFSET, stream.width());
        out.putInt(HEIGHT_OFFSET, stream.height());
        out.putInt(PARAMETER_SETS_LENGTH_OFFSET, parameterSets.length);
        out.putLong(SEGMENT_ID_OFFSET, segmentId);
        out.putLong(START_TIME_MICROS_OFFSET, startTimeMicros);
        out.putLong(CREATED_MICROS_OFFSET, createdMicros);
        out.putLong(ALLOCATED_LENGTH_OFFSET, allocatedLength);
        out.put(CAMERA_OFFSET, camera.getBytes(StandardCharsets.US_ASCII));
        out.put(PARAMETER_SETS_OFFSET, parameterSets);
        out.putInt(CHECKSUM_OFFSET, checksum(out));
    }

    /**
     * Reads a header from the first {@value SegmentHeaderDescriptor#LENGTH} bytes of {@code page}.
     *
     * @param file names the file in the error
     * @throws SegmentFormatException if the bytes are no header of this version
     */
    public static SegmentHeader decode(ByteBuffer page, String file) throws SegmentFormatException {
        ByteBuffer in = page.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (in.limit() < LENGTH) {
            throw new SegmentFormatException(file + ": " + in.limit() + " bytes, shorter than a segment header ("
                    + LENGTH + "); it holds no video. Recovery moves it aside; delete it if nothing needs it.");
        }
        if (in.getLong(MAGIC_OFFSET) != MAGIC) {
            throw new SegmentFormatException(file + ": no VIRTAREC magic, so it is no Virta segment or its header was"
                    + " never written. Recovery moves it aside; delete it if nothing needs it.");
        }
        int version = in.getInt(FORMAT_VERSION_OFFSET);
        if (version != FORMAT_VERSION) {
            throw new SegmentFormatException(file + ": segment format version " + version + ", this Virta reads "
                    + FORMAT_VERSION + ". Read it with the Virta that wrote it.");
        }
        int parameterSetsLength = in.getInt(PARAMETER_SETS_LENGTH_OFFSET);
        if (parameterSetsLength < 0 || parameterSetsLength > MAX_PARAMETER_SETS_LENGTH
                || in.getInt(RECORDS_OFFSET_OFFSET) != LENGTH
                || in.getInt(CHECKSUM_OFFSET) != checksum(in)) {
            throw new SegmentFormatException(file + ": the segment header is damaged (checksum or lengths wrong), so its"
                    + " frames cannot be decoded. Recovery moves it aside; keep it for inspection or delete it.");
        }
        PixelFormat codec = PixelFormat.fromCode(in.getInt(CODEC_OFFSET));
        byte[] cameraBytes = new byte[CAMERA_LENGTH];
        in.get(CAMERA_OFFSET, cameraBytes);
        int cameraLength = 0;
        while (cameraLength < CAMERA_LENGTH && cameraBytes[cameraLength] != 0) {
            cameraLength++;
        }
        byte[] parameterSets = new byte[parameterSetsLength];
        in.get(PARAMETER_SETS_OFFSET, parameterSets);
        try {
            StreamParameters stream = new StreamParameters(codec, in.getInt(WIDTH_OFFSET), in.getInt(HEIGHT_OFFSET),
                    parameterSets);
            return new SegmentHeader(new String(cameraBytes, 0, cameraLength, StandardCharsets.US_ASCII), stream,
                    in.getLong(SEGMENT_ID_OFFSET),
                    in.getLong(START_TIME_MICROS_OFFSET), in.getLong(CREATED_MICROS_OFFSET),
                    in.getLong(ALLOCATED_LENGTH_OFFSET));
        } catch (RuntimeException invalid) {
            throw new SegmentFormatException(file + ": the segment header has a valid checksum but says something this"
                    + " Virta cannot use (" + invalid.getMessage() + "). Read it with the Virta that wrote it.");
        }
    }

    /** Section 3: CRC32C of the whole page but the checksum field itself, so reserved bytes are covered too. */
    private static int checksum(ByteBuffer header) {
        CRC32C crc = new CRC32C();
        crc.update(header.slice(0, CHECKSUM_OFFSET));
        crc.update(header.slice(CHECKSUM_OFFSET + Integer.BYTES, LENGTH - CHECKSUM_OFFSET - Integer.BYTES));
        return (int) crc.getValue();
    }
}
