package io.virta.producer.decode;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PixelFormat;
import io.virta.bus.WritableFrame;
import org.bytedeco.ffmpeg.global.avutil;

/**
 * Publishes decoded pictures into an RGB24 bus channel, converted and scaled by swscale straight
 * into the claimed cell: no copy besides swscale's own output.
 *
 * <p>Frames come out at the channel's nominal size (a channel made without one gets the source's
 * size), whatever the camera sends, also across a resolution change mid-stream. Packed RGB or BGR,
 * as the channel's format says.
 *
 * <p><b>Down-sampling in time.</b> With a minimum interval, a picture is published only when its
 * capture time is at least the interval after the last published one's: analyzers that want
 * 5 frames/s from a 25 frames/s camera set 200 ms. A picture up to an eighth of the interval early
 * counts as due, so that camera jitter does not halve the rate when the interval is a whole number
 * of frame periods. Capture times that jump backwards (a camera clock reset) restart the schedule.
 */
public final class RgbPublisher implements DecodedFrameListener, AutoCloseable {
    private final ChannelWriter writer;
    private final FrameScaler scaler;
    private final int targetFormat;
    private final long minIntervalMicros;
    private final long earlyToleranceMicros;
    private int streamId;
    private boolean pendingDiscontinuity;
    private boolean publishedAny;
    private long lastPublishedMicros;
    private long published;
    private long skippedByRate;
    private long tooLarge;
    private long unconvertible;

    /** Every picture, bicubic scaling. */
    public RgbPublisher(ChannelWriter writer) {
        this(writer, ScalingAlgorithm.BICUBIC, 0);
    }

    /**
     * @param minIntervalMicros least capture-time distance between published frames; 0 publishes every picture
     * @throws IllegalArgumentException if {@code writer}'s channel is not an RGB24 channel of RGB24 or BGR24 frames
     */
    public RgbPublisher(ChannelWriter writer, ScalingAlgorithm algorithm, long minIntervalMicros) {
        ChannelSpec spec = writer.spec();
        if (spec.type() != ChannelType.RGB24
                || (spec.format() != PixelFormat.RGB24 && spec.format() != PixelFormat.BGR24)) {
            throw new IllegalArgumentException("channel '" + writer.name() + "' carries " + spec.type() + "/"
                    + spec.format() + ": the RGB publisher needs an RGB24 channel of RGB24 or BGR24 frames");
        }
        if (minIntervalMicros < 0) {
            throw new IllegalArgumentException("channel '" + writer.name() + "': the minimum interval between frames"
                    + " cannot be negative (" + minIntervalMicros + " µs)");
        }
        this.writer = writer;
        this.scaler = new FrameScaler(algorithm);
        this.targetFormat = spec.format() == PixelFormat.BGR24 ? avutil.AV_PIX_FMT_BGR24 : avutil.AV_PIX_FMT_RGB24;
        this.minIntervalMicros = minIntervalMicros;
        this.earlyToleranceMicros = minIntervalMicros / 8;
    }

    /** The producer's stream (camera) number, written into each frame's metadata. */
    public RgbPublisher streamId(int streamId) {
        this.streamId = streamId;
        return this;
    }

    @Override
    public void onFrame(DecodedFrame frame) {
        long time = frame.captureTimeMicros() != 0 ? frame.captureTimeMicros() : System.nanoTime() / 1000;
        if (!isDue(time)) {
            skippedByRate++;
            return;
        }
        ChannelSpec spec = writer.spec();
        int width = spec.width() > 0 ? spec.width() : frame.width();
        int height = spec.height() > 0 ? spec.height() : frame.height();
        long bytes = 3L * width * height;
        if (bytes > writer.capacity()) {
            tooLarge++;
            pendingDiscontinuity = true;
            return;
        }
        WritableFrame cell = writer.claim();
        scaler.target(0, cell.payload().address(), 3 * width);
        if (!scaler.scale(frame, targetFormat, width, height)) {
            // The cell stays claimed; the next picture reuses it.
            unconvertible++;
            pendingDiscontinuity = true;
            return;
        }
        cell.payloadSize(bytes)
                .size(width, height)
                .stride(0, 3 * width)
                .keyframe(frame.isKeyframe())
                .damaged(frame.isDamaged())
                .discontinuity(pendingDiscontinuity || frame.isDiscontinuity())
                .streamId(streamId)
                .captureTimeMicros(frame.captureTimeMicros())
                .arrivalTimeMicros(frame.arrivalTimeMicros());
        writer.commit();
        pendingDiscontinuity = false;
        publishedAny = true;
        lastPublishedMicros = time;
        published++;
    }

    private boolean isDue(long time) {
        if (minIntervalMicros == 0 || !publishedAny) {
            return true;
        }
        long since = time - lastPublishedMicros;
        return since < 0 || since >= minIntervalMicros - earlyToleranceMicros;
    }

    /** Frames committed to the channel. */
    public long published() {
        return published;
    }

    /** Pictures left out by the minimum interval. */
    public long skippedByRate() {
        return skippedByRate;
    }

    /** Pictures skipped because the channel's cells are too small for its frame size. */
    public long tooLarge() {
        return tooLarge;
    }

    /** Pictures swscale could not convert. */
    public long unconvertible() {
        return unconvertible;
    }

    /** swscale contexts made: more than 1 when the source changed resolution. */
    public long scalerContexts() {
        return scaler.contextsCreated();
    }

    /** Wall time spent in swscale, in ns. */
    public long scaleNanos() {
        return scaler.scaleNanos();
    }

    /** Frees swscale's context; the writer stays open (its owner closes it). */
    @Override
    public void close() {
        scaler.close();
    }
}
