package io.virta.recorder.ingest;

import io.virta.bus.ChannelName;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PixelFormat;
import io.virta.bus.WritableFrame;
import io.virta.recorder.index.RecordingIndex;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.store.SegmentReader;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An H264 camera's encoded channel as the producer's EncodedPublisher fills it: one Annex-B access unit
 * per cell, SPS and PPS in-band before every keyframe (a keyframe every {@link #GOP} frames). Every byte
 * follows from the sequence number and the stream's {@code variant} (its SPS), so a test can check what
 * it reads back from the store without keeping what it published.
 */
final class BusStream implements AutoCloseable {
    static final int GOP = 10;
    static final long BASE_MICROS = 1_780_000_000_000_000L;
    static final long FRAME_MICROS = 40_000;
    private static final AtomicLong NAMES = new AtomicLong();

    final String camera;
    final ChannelWriter writer;

    private BusStream(String camera, ChannelWriter writer) {
        this.camera = camera;
        this.writer = writer;
    }

    /** A new channel {@code CAMERA.h264} with a name no other test uses. */
    static BusStream create(String prefix, int cells) {
        String camera = prefix + "-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
        return new BusStream(camera, ChannelWriter.create(ChannelSpec.of(camera + ".h264", ChannelType.ENCODED)
                .format(PixelFormat.H264).capacity(64 << 10).cells(cells)));
    }

    /** Closes this stream's channel and creates it again: a new writer, whose sequence numbers start at 1. */
    BusStream restart() {
        String name = writer.name();
        int cells = writer.cells();
        writer.close();
        return new BusStream(camera, ChannelWriter.create(ChannelSpec.of(name, ChannelType.ENCODED)
                .format(PixelFormat.H264).capacity(64 << 10).cells(cells)));
    }

    static boolean keyframe(long sequence) {
        return (sequence - 1) % GOP == 0;
    }

    static byte[] parameterSets(int variant) {
        return new byte[] {0, 0, 0, 1, 0x67, 0x42, 0, (byte) (0x1f + variant), 0, 0, 0, 1, 0x68, (byte) 0xce, 0x3c,
                (byte) 0x80};
    }

    /** The access unit of frame {@code sequence}: parameter sets and an IDR slice, or a non-IDR slice. */
    static byte[] accessUnit(long sequence, int variant) {
        SplittableRandom random = new SplittableRandom(sequence * 0x9E3779B97F4A7C15L + variant);
        byte[] slice = new byte[200 + random.nextInt(8_000)];
        random.nextBytes(slice);
        slice[0] = 0;
        slice[1] = 0;
        slice[2] = 0;
        slice[3] = 1;
        slice[4] = (byte) (keyframe(sequence) ? 0x65 : 0x41);
        if (!keyframe(sequence)) {
            return slice;
        }
        byte[] sets = parameterSets(variant);
        byte[] unit = Arrays.copyOf(sets, sets.length + slice.length);
        System.arraycopy(slice, 0, unit, sets.length, slice.length);
        return unit;
    }

    static long captureMicros(long sequence) {
        return BASE_MICROS + sequence * FRAME_MICROS;
    }

    /** Publishes the next frame; returns its sequence number. */
    long publish(int variant) {
        long sequence = writer.sequence() + 1;
        return publish(sequence, accessUnit(sequence, variant), keyframe(sequence));
    }

    /** Publishes {@code unit}, a slice that is not a keyframe whatever its sequence number: for endless GOPs. */
    long publishDelta(byte[] unit) {
        return publish(writer.sequence() + 1, unit, false);
    }

    private long publish(long sequence, byte[] unit, boolean keyframe) {
        WritableFrame cell = writer.claim();
        MemorySegment.copy(unit, 0, cell.payload(), ValueLayout.JAVA_BYTE, 0, unit.length);
        cell.payloadSize(unit.length).format(PixelFormat.H264).keyframe(keyframe)
                .captureTimeMicros(captureMicros(sequence));
        long committed = writer.commit();
        if (committed != sequence) {
            throw new IllegalStateException("expected to commit " + sequence + ", the writer says " + committed);
        }
        return sequence;
    }

    /**
     * Publishes the next frame once the recorder is less than half a ring behind, so that a test of what
     * a keeping-up recorder writes does not depend on how fast this machine is (the first segment costs
     * a file, a header and the JIT's first visit).
     */
    long publishPaced(int variant, ChannelRecorder recorder) throws InterruptedException {
        long giveUp = System.nanoTime() + 20_000_000_000L;
        while (writer.sequence() - recorder.lastWrittenSequence() >= writer.cells() / 2) {
            if (System.nanoTime() - giveUp > 0) {
                throw new AssertionError("the recorder stayed " + (writer.sequence() - recorder.lastWrittenSequence())
                        + " frames behind for 20 s");
            }
            Thread.sleep(1);
        }
        return publish(variant);
    }

    /** Waits until a reader (the recorder) is attached, so it sees the stream from its first frame. */
    void awaitReader() throws InterruptedException {
        long giveUp = System.nanoTime() + 20_000_000_000L;
        while (writer.readerCount() == 0) {
            if (System.nanoTime() - giveUp > 0) {
                throw new AssertionError("no reader attached to " + writer.name() + " within 20 s");
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() throws IOException {
        writer.close();
        Files.deleteIfExists(ChannelName.objectPath(writer.name())); // also after a test that failed half-way
    }

    /** One frame as read back from the store. */
    record StoredFrame(long segmentId, long sequence, long captureMicros, boolean keyframe, byte[] payload) {
        boolean matches(int variant) {
            return captureMicros == BusStream.captureMicros(sequence) && keyframe == BusStream.keyframe(sequence)
                    && Arrays.equals(payload, accessUnit(sequence, variant));
        }
    }

    /** Every frame of {@code camera} in the store, in time order. */
    static List<StoredFrame> read(Path store, RecordingIndex index, String camera) throws IOException {
        List<StoredFrame> frames = new ArrayList<>();
        for (SegmentRow row : index.segments(camera, Long.MIN_VALUE, Long.MAX_VALUE)) {
            try (SegmentReader reader = SegmentReader.open(store.resolve(row.file()), SegmentReader.Mode.RESYNC)) {
                while (reader.next()) {
                    byte[] payload = new byte[reader.payloadLength()];
                    reader.payload().get(0, payload);
                    frames.add(new StoredFrame(row.id(), reader.sequence(), reader.captureTimeMicros(),
                            reader.isKeyframe(), payload));
                }
            }
        }
        return frames;
    }
}
