package io.virta.worker;

import io.virta.bus.ChannelMismatchException;
import io.virta.bus.ChannelNotFoundException;
import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelType;
import io.virta.bus.PullStatus;
import io.virta.protos.control.v1.ChannelDescriptor;
import io.virta.worker.attach.AttachException;
import io.virta.worker.attach.ProducerChannels;

import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Frames of one channel for a worker that runs its own loop: {@link #next(Duration)} returns the next
 * frame to analyze, or null when none came in time.
 *
 * <pre>{@code
 * try (FrameStream frames = FrameSource.camera("lobby").fps(4).open()) {
 *     while (running) {
 *         WorkerFrame frame = frames.next(Duration.ofSeconds(1));
 *         if (frame == null) {
 *             continue;                              // nothing within a second
 *         }
 *         ByteBuffer rgb = frame.payloadBuffer();    // zero-copy view of the shared memory
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>When the channel's writer goes away (the producer stops or restarts), the stream waits for a new
 * writer and re-attaches by itself; a stream attached by camera asks the producer again after
 * {@link FrameSource#reresolveAfter(Duration)}, in case the camera's channel changed name. Meanwhile
 * {@code next} returns null at its timeout, as on any quiet channel.
 *
 * <p>One thread uses a stream, {@link #close()} included: the frame's views point into memory that
 * closing unmaps. ({@link WorkerRunner} runs a stream on its own thread and stops it cleanly.)
 */
public final class FrameStream implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FrameStream.class.getName());

    private final FrameSource source;
    private final long intervalNanos;
    private ChannelReader reader;
    private WorkerFrame frame;

    private volatile long frames;
    private volatile long lost;
    private volatile long overruns;
    private volatile long skipped;
    private volatile long timeouts;
    private volatile long reattaches;

    private long lastDelivered;
    private boolean delivered;
    private boolean detached;
    private long nextResolve;
    private boolean closed;

    private FrameStream(FrameSource source, ChannelReader reader) {
        this.source = source;
        this.intervalNanos = source.maxFps() > 0 ? (long) (1e9 / source.maxFps()) : 0;
        this.reader = reader;
        this.frame = new WorkerFrame(reader);
    }

    static FrameStream open(FrameSource source) {
        String channel = source.channelName();
        if (source.byCamera()) {
            ChannelDescriptor d = new ProducerChannels(source.controlTarget())
                    .find(source.cameraName(), source.channelType(), source.attachTimeout());
            channel = d.getName();
        }
        return new FrameStream(source, openReader(source, channel, source.attachTimeout()));
    }

    private static ChannelReader openReader(FrameSource source, String channel, Duration wait) {
        ChannelReader.Builder builder = ChannelReader.builder(channel).awaitWriter(wait);
        if (!source.byCamera() || source.channelType() == ChannelType.RGB24
                || source.channelType() == ChannelType.YUV420P) {
            builder.expect(source.channelType());
        }
        try {
            return builder.open();
        } catch (ChannelNotFoundException e) {
            throw new AttachException("bus channel '" + channel + "' does not exist (waited " + wait.toSeconds()
                    + " s): start its writer (the producer, for a camera's channels), or check the name with"
                    + " 'virta bus ls'", e);
        } catch (ChannelMismatchException e) {
            throw new AttachException(e.getMessage(), e);
        }
    }

    /** What the stream reads from. */
    public FrameSource source() {
        return source;
    }

    /** The camera the frames show, for events. */
    public String camera() {
        return source.cameraName();
    }

    /** The bus channel the stream reads now. */
    public String channel() {
        return reader.name();
    }

    public ChannelType channelType() {
        return reader.type();
    }

    /** The channel's nominal picture size (each frame carries its own: {@link WorkerFrame#width()}). */
    public int width() {
        return reader.width();
    }

    public int height() {
        return reader.height();
    }

    /** True while the channel has no writer and the stream waits for one. */
    public boolean isDetached() {
        return detached;
    }

    /** Waits up to {@code timeout} for the next frame to analyze; null if none came. */
    public WorkerFrame next(Duration timeout) {
        return next(timeout.toNanos());
    }

    /**
     * Waits up to {@code timeoutNanos} for the next frame to analyze; null if none came (counted in
     * {@link #timeouts()}), or if the rate limit's next frame is not due within the timeout (not counted).
     * The frame (and its views) stays valid until the next call, as long as {@link WorkerFrame#isIntact()}
     * holds: a writer that laps the ring reuses its cell.
     */
    public WorkerFrame next(long timeoutNanos) {
        if (closed) {
            throw new IllegalStateException("frame stream of " + source + " is closed");
        }
        long now = System.nanoTime();
        long deadline = now + Math.max(0, timeoutNanos);
        if (intervalNanos > 0) {
            if (delivered) {
                long due = lastDelivered + intervalNanos;
                if (due - deadline > 0) {
                    // Not due yet: no frame, but no timeout either (the channel may be busy).
                    sleepUntil(deadline);
                    return null;
                }
                sleepUntil(due);
            }
            // The first time too: a worker that took a while to start (loading a model) begins at the newest frame.
            long passed = reader.skipToNewest();
            if (passed > 0) {
                skipped += passed;
            }
        }
        while (true) {
            long remaining = deadline - System.nanoTime();
            PullStatus status = reader.pull(Math.max(0, remaining));
            switch (status) {
                case FRAME, OVERRUN -> {
                    if (status == PullStatus.OVERRUN) {
                        overruns++;
                        lost += reader.frame().lost();
                    }
                    if (detached) {
                        detached = false;
                    }
                    frames++;
                    delivered = true;
                    lastDelivered = System.nanoTime();
                    return frame;
                }
                case TIMEOUT -> {
                    timeouts++;
                    return null;
                }
                case WRITER_RESTARTED -> {
                    frame.invalidate();
                    reattaches++;
                    detached = false;
                    if (intervalNanos > 0) {
                        skipped += reader.skipToNewest();   // the new writer's newest, not its first, frame
                    }
                    LOG.info(() -> "channel '" + reader.name() + "': a new writer took over; re-attached");
                }
                case END_OF_STREAM, WRITER_DIED -> {
                    if (!detached) {
                        detached = true;
                        nextResolve = System.nanoTime() + source.reresolveAfter().toNanos();
                        LOG.info(() -> "channel '" + reader.name() + "': "
                                + (status == PullStatus.END_OF_STREAM ? "its writer closed it" : "its writer died")
                                + "; waiting for a new writer");
                    }
                    if (source.byCamera() && System.nanoTime() - nextResolve >= 0) {
                        reresolve();
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        timeouts++;
                        return null;
                    }
                }
            }
        }
    }

    /** Asks the producer which channel the camera has now, and moves to it if the name changed. */
    private void reresolve() {
        nextResolve = System.nanoTime() + source.reresolveAfter().toNanos();
        String now;
        try {
            // A short call: this runs inside next(), which should return near its own timeout.
            now = new ProducerChannels(source.controlTarget(), Duration.ofMillis(500))
                    .find(source.cameraName(), source.channelType(), Duration.ZERO).getName();
        } catch (AttachException e) {
            LOG.log(Level.FINE, "camera ''{0}'': no channel yet: {1}", new Object[] {source.cameraName(), e.getMessage()});
            return;
        }
        if (now.equals(reader.name())) {
            return;
        }
        ChannelReader next;
        try {
            next = openReader(source, now, Duration.ofSeconds(1));
        } catch (AttachException e) {
            LOG.log(Level.FINE, "camera ''{0}'': {1}", new Object[] {source.cameraName(), e.getMessage()});
            return;
        }
        LOG.info(() -> "camera '" + source.cameraName() + "': its channel is now '" + now + "'; re-attached");
        frame.invalidate();
        reader.close();
        reader = next;
        frame = new WorkerFrame(next);
        detached = false;
        reattaches++;
    }

    private static void sleepUntil(long deadline) {
        long nanos;
        while ((nanos = deadline - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
            java.util.concurrent.locks.LockSupport.parkNanos(nanos);
        }
    }

    /** Frames handed out so far. */
    public long frames() {
        return frames;
    }

    /** Frames lost although the worker read every one (see {@link StreamCounters#lost()}). */
    public long lost() {
        return lost;
    }

    public long overruns() {
        return overruns;
    }

    /** Frames passed over on purpose by the rate limit. */
    public long skipped() {
        return skipped;
    }

    public long timeouts() {
        return timeouts;
    }

    public long reattaches() {
        return reattaches;
    }

    /** A snapshot of the counters; safe to call from any thread. */
    public StreamCounters counters() {
        return new StreamCounters(frames, lost, overruns, skipped, timeouts, reattaches);
    }

    /** Invalidates the frame's views (Mat headers) and leaves the channel. Call it from the thread that calls next. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        frame.invalidate();
        reader.close();
    }
}
