package io.virta.viewer.feed;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.virta.bus.ChannelMismatchException;
import io.virta.bus.Frame;
import io.virta.bus.PixelFormat;
import io.virta.worker.FrameSource;
import io.virta.worker.FrameStream;
import io.virta.worker.WorkerFrame;
import io.virta.worker.attach.AttachException;
import io.virta.viewer.present.PresentationClock;
import io.virta.viewer.present.PresentationQueue;

import java.lang.foreign.MemorySegment;
import java.util.logging.Logger;

/**
 * One stream's feed thread: attaches to the stream's YUV420P channel (by camera name through the
 * producer, or by channel name), pulls every frame, and copies each one, once, from the bus into a
 * free slot of the stream's presentation queue.
 *
 * <p>It never waits for the render thread: a frame with no slot to go to is discarded by the queue and
 * counted. It outlives its producer: when the channel's writer goes away it waits for a new one, asking
 * the producer again for the camera's channel (FrameStream does that), and an unreachable producer at
 * start-up is retried every second. Only a mistake retrying cannot fix ends the feed: a camera the
 * producer does not know, or a channel that does not carry I420 frames.
 */
public final class StreamFeed implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StreamFeed.class.getName());
    private static final long PULL_TIMEOUT_NANOS = 200_000_000L;
    private static final long RETRY_MILLIS = 1000;
    /** The whole address space, so that copying into a mapped pixel buffer needs no segment per frame. */
    private static final MemorySegment EVERYWHERE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final String stream;
    private final FrameSource source;
    private final PresentationQueue queue;
    private final PresentationClock clock;
    private final Runnable wake;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile FeedState state = FeedState.CONNECTING;
    private volatile String failure;
    private volatile long busLost;
    private volatile long reattaches;

    /**
     * @param wake called after each frame is queued, from the feed thread: wakes the render thread if it sleeps
     */
    public StreamFeed(String stream, FrameSource source, PresentationQueue queue, PresentationClock clock,
            Runnable wake) {
        this.stream = stream;
        this.source = source;
        this.queue = queue;
        this.clock = clock;
        this.wake = wake;
        this.thread = Thread.ofPlatform().daemon().name("virta-feed-" + stream).unstarted(this::run);
    }

    public StreamFeed start() {
        thread.start();
        return this;
    }

    private void run() {
        FrameStream frames = null;
        boolean toldUnreachable = false;
        long seenReattaches = 0;
        try {
            while (running) {
                if (frames == null) {
                    try {
                        frames = source.open();
                        state = FeedState.STREAMING;
                        LOG.info("stream '" + stream + "': reading channel '" + frames.channel() + "'");
                        toldUnreachable = false;
                    } catch (AttachException e) {
                        if (isFatal(e)) {
                            fail(e.getMessage());
                            return;
                        }
                        if (!toldUnreachable) {
                            LOG.warning("stream '" + stream + "': " + e.getMessage() + " (retrying every second)");
                            toldUnreachable = true;
                        }
                        state = FeedState.CONNECTING;
                        pause(RETRY_MILLIS);
                    }
                    continue;
                }
                WorkerFrame next = frames.next(PULL_TIMEOUT_NANOS);
                state = frames.isDetached() ? FeedState.WAITING_FOR_WRITER : FeedState.STREAMING;
                busLost = frames.lost();
                if (frames.reattaches() != seenReattaches) {
                    seenReattaches = frames.reattaches();
                    reattaches = seenReattaches;
                    clock.reset();   // a new writer's clock may differ from the old one's
                }
                if (next != null) {
                    offer(next.busFrame());
                }
            }
        } catch (RuntimeException e) {
            fail("stream '" + stream + "' stopped: " + e);
        } finally {
            if (frames != null) {
                frames.close();
            }
        }
    }

    /** Sleeps, returning early once the feed is closed; not by interrupting, which would break closing the reader. */
    private void pause(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (running && System.nanoTime() - end < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }

    private void offer(Frame frame) {
        if (frame.format() != PixelFormat.I420) {
            throw new IllegalStateException("channel carries " + frame.format() + " frames; the viewer shows I420"
                    + " (YUV420P) channels: give it a camera's .yuv channel");
        }
        long now = System.nanoTime();
        long due = clock.due(frame.captureTimeMicros(), frame.commitMonotonicNanos());
        boolean late = clock.bufferNanos() > 0 && now - due > 0;
        int width = frame.width();
        int height = frame.height();
        int slot = queue.claim(width, height, due, late, now);
        if (slot == PresentationQueue.NONE) {
            if (queue.wantedClass() != null) {
                wake.run();   // the render thread makes the buffers this stream now needs
            }
            return;
        }
        long target = queue.address(slot);
        long lumaBytes = (long) width * height;
        int chromaWidth = (width + 1) / 2;
        int chromaHeight = (height + 1) / 2;
        copyPlane(frame, 0, target, width, height);
        copyPlane(frame, 1, target + lumaBytes, chromaWidth, chromaHeight);
        copyPlane(frame, 2, target + lumaBytes + (long) chromaWidth * chromaHeight, chromaWidth, chromaHeight);
        if (!frame.isIntact()) {
            queue.abandon(slot);
            return;
        }
        queue.commit(slot, frame.sequence(), frame.captureTimeMicros(), frame.colorMatrix(),
                frame.colorRange());
        wake.run();
    }

    /** Copies one plane into the packed slot: one copy when the bus rows are packed too, else row by row. */
    private static void copyPlane(Frame frame, int plane, long target, int rowBytes, int rows) {
        long offset = frame.planeOffset(plane);
        int stride = frame.stride(plane);
        if (stride == rowBytes) {
            frame.copyPayload(offset, EVERYWHERE, target, (long) rowBytes * rows);
            return;
        }
        for (int row = 0; row < rows; row++) {
            frame.copyPayload(offset + (long) row * stride, EVERYWHERE, target + (long) row * rowBytes, rowBytes);
        }
    }

    private static boolean isFatal(AttachException e) {
        Throwable cause = e.getCause();
        if (cause instanceof StatusRuntimeException s) {
            Status.Code code = s.getStatus().getCode();
            return code == Status.Code.NOT_FOUND || code == Status.Code.INVALID_ARGUMENT;
        }
        if (cause instanceof ChannelMismatchException) {
            return true;
        }
        return e.getMessage() != null && e.getMessage().contains("publishes no");
    }

    private void fail(String message) {
        failure = message;
        state = FeedState.FAILED;
        LOG.severe(message);
        wake.run();
    }

    public String stream() {
        return stream;
    }

    public FeedState state() {
        return state;
    }

    /** Why the feed stopped, when {@link #state()} is FAILED. */
    public String failure() {
        return failure;
    }

    /** Frames the bus says this reader lost (it fell a ring behind): the feed thread could not keep up. */
    public long busLost() {
        return busLost;
    }

    public long reattaches() {
        return reattaches;
    }

    /** The feed thread's id, for allocation accounting. */
    public long threadId() {
        return thread.threadId();
    }

    @Override
    public void close() {
        // No interrupt: an interrupted thread cannot take the file lock that detaching from a channel needs.
        // The pull returns within its timeout and an attach within its own (2 s).
        running = false;
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
