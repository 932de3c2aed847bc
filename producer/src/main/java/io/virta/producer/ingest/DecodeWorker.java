package io.virta.producer.ingest;

import io.virta.bus.ChannelReader;
import io.virta.bus.Frame;
import io.virta.bus.PullStatus;
import io.virta.producer.decode.DecodedFrameListener;
import io.virta.producer.decode.VideoDecoder;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * Decodes one camera on its own thread. It reads the camera's encoded channel like any other bus
 * reader, so the channel is the bounded queue between ingest and decoding: when the decoder falls
 * behind, the oldest units are overwritten and counted as an overrun, and ingest never waits.
 * After an overrun it skips to the next keyframe, since the units in between cannot be decoded.
 */
public final class DecodeWorker implements AutoCloseable {
    private final String encodedChannel;
    private final VideoCodec codec;
    private final int threads;
    private final DecodedFrameListener output;
    private final AccessUnit unit;
    private final MemorySegment unitMemory;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long unitsDecoded;
    private volatile long unitsSkipped;
    private volatile long overruns;
    private volatile long decodeNanos;
    // Written per picture by the output tap below, read by status reporting.
    private volatile long framesDecoded;
    private volatile int pictureWidth;
    private volatile int pictureHeight;

    private final java.util.BitSet cpus;

    public DecodeWorker(String camera, String encodedChannel, VideoCodec codec, int threads, int maxUnitSize,
            DecodedFrameListener output, java.util.BitSet cpus) {
        this.cpus = cpus;
        this.encodedChannel = encodedChannel;
        this.codec = codec;
        this.threads = threads;
        this.output = frame -> {
            framesDecoded++;
            pictureWidth = frame.width();
            pictureHeight = frame.height();
            output.onFrame(frame);
        };
        // The decoder zeroes the PADDING bytes after each unit so FFmpeg can read it in place.
        this.unit = AccessUnit.allocate(maxUnitSize + VideoDecoder.PADDING);
        this.unitMemory = MemorySegment.ofBuffer(unit.data());
        this.thread = Thread.ofPlatform().name("virta-decode-" + camera).daemon().unstarted(this::run);
    }

    public DecodeWorker start() {
        thread.start();
        return this;
    }

    private void run() {
        if (cpus != null) {
            io.virta.bus.posix.CpuAffinity.pinCurrentThread(cpus);
        }
        try (ChannelReader reader = ChannelReader.builder(encodedChannel).awaitWriter(Duration.ofSeconds(30)).open();
             VideoDecoder decoder = new VideoDecoder(codec, threads, output)) {
            boolean needKeyframe = true;
            while (running) {
                PullStatus status = reader.pull(Duration.ofMillis(200));
                switch (status) {
                    case OVERRUN -> {
                        overruns++;
                        needKeyframe = true;
                        needKeyframe = decodeCurrent(reader.frame(), decoder, needKeyframe);
                    }
                    case FRAME -> needKeyframe = decodeCurrent(reader.frame(), decoder, needKeyframe);
                    case END_OF_STREAM -> {
                        decoder.flush();
                        return;
                    }
                    case WRITER_RESTARTED, WRITER_DIED -> needKeyframe = true;
                    default -> { }
                }
            }
        }
    }

    /** Returns whether the next unit still has to be a keyframe. */
    private boolean decodeCurrent(Frame frame, VideoDecoder decoder, boolean needKeyframe) {
        if (needKeyframe && !frame.isKeyframe()) {
            unitsSkipped++;
            return true;
        }
        int size = frame.payloadSize();
        if (size > unitMemory.byteSize() - VideoDecoder.PADDING || !frame.copyTo(unitMemory)) {
            unitsSkipped++; // torn while copying (the writer lapped us) or too large: wait for a keyframe
            return true;
        }
        unit.data().clear().limit(size);
        unit.codec(codec).keyframe(frame.isKeyframe()).damaged(frame.isDamaged()).captureTimeMicros(frame.captureTimeMicros())
                .arrivalTimeMicros(frame.arrivalTimeMicros()).slot(frame.streamId()).sequence(frame.sequence());
        long start = System.nanoTime();
        decoder.decode(unit);
        decodeNanos += System.nanoTime() - start;
        unitsDecoded++;
        return false;
    }

    public long unitsDecoded() {
        return unitsDecoded;
    }

    public long unitsSkipped() {
        return unitsSkipped;
    }

    public long overruns() {
        return overruns;
    }

    /** Pictures the decoder has delivered. */
    public long framesDecoded() {
        return framesDecoded;
    }

    /** Size of the last decoded picture; 0 before the first. */
    public int pictureWidth() {
        return pictureWidth;
    }

    public int pictureHeight() {
        return pictureHeight;
    }

    /** Mean decode time per unit, in µs. */
    public double meanDecodeMicros() {
        long n = unitsDecoded;
        return n == 0 ? 0 : decodeNanos / 1000.0 / n;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
