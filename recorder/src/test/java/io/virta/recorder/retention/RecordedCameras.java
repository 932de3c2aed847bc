package io.virta.recorder.retention;

import io.virta.bus.PixelFormat;
import io.virta.recorder.format.RecordDescriptor;
import io.virta.recorder.format.StreamParameters;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.store.AppendOutcome;
import io.virta.recorder.store.CameraWriter;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;
import io.virta.recorder.store.SegmentReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real segments of small stores for the retention tests: 64 KiB preallocation, one-second segments,
 * 25 fps with a keyframe every 5 frames and payloads of 600 to 1400 bytes, whose every byte follows
 * from the camera and sequence number so a test can check any frame it reads back.
 */
final class RecordedCameras {
    static final SegmentPolicy SMALL = new SegmentPolicy(64 << 10, Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(2));
    static final long FRAME_MICROS = 40_000;
    static final long BASE_MICROS = 1_780_000_000_000_000L;
    static final int GOP = 5;
    static final StreamParameters STREAM = new StreamParameters(PixelFormat.H264, 640, 360,
            new byte[] {0, 0, 0, 1, 0x67, 0x42, 0, 0x1e, 0, 0, 0, 1, 0x68, (byte) 0xce, 0x3c, (byte) 0x80});

    private RecordedCameras() {
    }

    /** A clock the test sets: retention's "now". */
    static final class TestClock implements InstantSource {
        private volatile long micros;

        TestClock(long micros) {
            this.micros = micros;
        }

        @Override
        public Instant instant() {
            return RetentionLines.instant(micros);
        }

        long micros() {
            return micros;
        }

        void set(long value) {
            micros = value;
        }

        void advance(long by) {
            micros += by;
        }
    }

    static byte[] payload(String camera, long sequence) {
        SplittableRandom random = new SplittableRandom(camera.hashCode() * 0x9E3779B97F4A7C15L + sequence);
        byte[] bytes = new byte[600 + random.nextInt(800)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** One camera being recorded into a store, counting the frames it put in each segment. */
    static final class Camera {
        final String name;
        private final RecordingStore store;
        private CameraWriter writer;
        private long sequence;
        private long segment = -1;
        /** Segment id to frames written into it. */
        final Map<Long, Integer> frames = new HashMap<>();

        Camera(RecordingStore store, String name) {
            this.store = store;
            this.name = name;
        }

        /** Appends {@code count} frames, the clock moving one frame interval before each, and stops the camera. */
        void recordAndStop(TestClock clock, int count) throws IOException {
            for (int f = 0; f < count; f++) {
                clock.advance(FRAME_MICROS);
                record(clock.micros());
            }
            stop();
        }

        /** Appends one frame captured at {@code captureMicros}; true when it started a segment. */
        boolean record(long captureMicros) throws IOException {
            if (writer == null) {
                writer = store.camera(name);
            }
            sequence++;
            byte[] bytes = payload(name, sequence);
            int flags = sequence % GOP == 1 ? RecordDescriptor.FLAG_KEYFRAME : 0;
            AppendOutcome outcome = writer.append(STREAM, ByteBuffer.allocateDirect(bytes.length).put(bytes).flip(),
                    captureMicros, sequence, flags);
            if (outcome == AppendOutcome.SKIPPED_UNTIL_KEYFRAME) {
                return false;
            }
            if (outcome == AppendOutcome.STARTED_SEGMENT) {
                segment = writer.openSegment().header().segmentId();
            }
            frames.merge(segment, 1, Integer::sum);
            return outcome == AppendOutcome.STARTED_SEGMENT;
        }

        /** The segment being written, or -1. */
        long openSegment() {
            return writer == null || writer.openSegment() == null ? -1 : writer.openSegment().header().segmentId();
        }

        /** Seals its segment; the next frame starts a new one (after a keyframe). */
        void stop() throws IOException {
            if (writer != null) {
                writer.close();
                writer = null;
            }
        }
    }

    /** Reads a segment whole and checks that it holds exactly the frames written into it, intact. */
    static void assertIntact(Path store, SegmentRow row, Camera camera) throws IOException {
        int frames = 0;
        try (SegmentReader reader = SegmentReader.open(store.resolve(row.file()), SegmentReader.Mode.RESYNC)) {
            while (reader.next()) {
                byte[] read = new byte[reader.payloadLength()];
                reader.payload().get(0, read);
                assertArrayEquals(payload(camera.name, reader.sequence()), read,
                        "frame " + reader.sequence() + " of segment " + row.id() + " of " + camera.name);
                frames++;
            }
            assertEquals(0, reader.damagedRecords(), "segment " + row.id());
        }
        assertEquals(camera.frames.getOrDefault(row.id(), 0), frames, "frames of segment " + row.id() + " of " + camera.name);
    }

    /** Bytes of all segment files of the store, as the disk holds them. */
    static long segmentFileBytes(Path store) throws IOException {
        Path cameras = store.resolve("cameras");
        if (!Files.isDirectory(cameras)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(cameras)) {
            long total = 0;
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(file);
            }
            return total;
        }
    }
}
