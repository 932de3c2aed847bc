package io.virta.recorder.store;

import io.virta.bus.PixelFormat;
import io.virta.recorder.format.RecordDescriptor;
import io.virta.recorder.format.StreamParameters;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.RecordingIndex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Frames whose every byte follows from their sequence number, so a test can check any frame it reads
 * back without keeping what it wrote: 25 fps, a keyframe every 25 frames, 300 to 20,000 bytes.
 */
final class SyntheticStream {
    static final long BASE_MICROS = 1_780_000_000_000_000L;
    static final long FRAME_MICROS = 40_000;
    static final int GOP = 25;
    static final StreamParameters H264_720P = new StreamParameters(PixelFormat.H264, 1280, 720,
            new byte[] {0, 0, 0, 1, 0x67, 0x42, 0, 0x1f, 0, 0, 0, 1, 0x68, (byte) 0xce, 0x3c, (byte) 0x80});
    static final StreamParameters H264_1080P = new StreamParameters(PixelFormat.H264, 1920, 1080,
            new byte[] {0, 0, 0, 1, 0x67, 0x64, 0, 0x28, 0, 0, 0, 1, 0x68, (byte) 0xee, 0x3c, (byte) 0x80});

    private SyntheticStream() {
    }

    static long captureMicros(long sequence) {
        return BASE_MICROS + sequence * FRAME_MICROS;
    }

    static int flags(long sequence) {
        return (sequence - 1) % GOP == 0 ? RecordDescriptor.FLAG_KEYFRAME : 0;
    }

    static byte[] payload(long sequence) {
        SplittableRandom random = new SplittableRandom(sequence * 0x9E3779B97F4A7C15L);
        byte[] bytes = new byte[300 + random.nextInt(20_000)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** The payload in a direct buffer, as a bus cell hands it out. */
    static ByteBuffer direct(byte[] payload) {
        return ByteBuffer.allocateDirect(payload.length).put(payload).flip();
    }

    static AppendOutcome append(CameraWriter camera, StreamParameters stream, long sequence) throws IOException {
        return camera.append(stream, direct(payload(sequence)), captureMicros(sequence), sequence, flags(sequence));
    }

    /** One frame as read back. */
    record ReadFrame(long sequence, long captureMicros, int flags, byte[] payload, long segmentId) {
        boolean intact() {
            return captureMicros == SyntheticStream.captureMicros(sequence) && flags == SyntheticStream.flags(sequence)
                    && Arrays.equals(payload, SyntheticStream.payload(sequence));
        }
    }

    /** Every intact frame of {@code camera}, segment by segment in time order, as a reader sees them. */
    static List<ReadFrame> readCamera(Path store, RecordingIndex index, String camera) throws IOException {
        List<ReadFrame> frames = new ArrayList<>();
        for (SegmentRow row : index.segments(camera, Long.MIN_VALUE, Long.MAX_VALUE)) {
            try (SegmentReader reader = SegmentReader.open(store.resolve(row.file()), SegmentReader.Mode.RESYNC)) {
                while (reader.next()) {
                    byte[] payload = new byte[reader.payloadLength()];
                    reader.payload().get(0, payload);
                    frames.add(new ReadFrame(reader.sequence(), reader.captureTimeMicros(), reader.flags(), payload,
                            row.id()));
                }
            }
        }
        return frames;
    }
}
