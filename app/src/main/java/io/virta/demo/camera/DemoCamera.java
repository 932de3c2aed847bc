package io.virta.demo.camera;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Virta's built-in camera: draws the {@link DemoPattern} at a steady frame rate, encodes it with a
 * {@link DemoEncoder}, and hands every coded picture to its listeners, as an IP camera's stream
 * would arrive. Use it where a real camera is not at hand: demos, and end-to-end tests that check
 * what comes out (frame numbers, moving boxes, colours, latency) against what went in.
 *
 * <p>One daemon thread, {@code virta-demo-camera-WxH}, does the work. Frame {@code k} is due at
 * {@code start + k / fps} seconds, deadlines counted from the start and not from the previous frame,
 * so the rate does not drift. Its capture time (also burned into the picture's clock, in the local
 * time zone) is that deadline, and its RTP timestamp is {@code k * 90000 / fps}. When the machine
 * stalls for more than a frame, the camera skips the frames it missed, as a real camera drops them,
 * instead of sending a burst: the frame number and RTP time then jump while sequence numbers do not.
 *
 * <p>Listeners run on the camera thread and must return quickly; the unit is valid only during the
 * call. They may be added and removed at any time from any thread; one removed while a unit is being
 * delivered may still receive that unit. A listener that throws is logged and kept.
 */
public final class DemoCamera implements AutoCloseable {
    public static final int DEFAULT_WIDTH = 1280;
    public static final int DEFAULT_HEIGHT = 720;
    public static final int DEFAULT_FPS = 25;

    private static final System.Logger LOG = System.getLogger(DemoCamera.class.getName());
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final AccessUnitListener[] NO_LISTENERS = {};

    private final int width;
    private final int height;
    private final int fps;
    private final DemoPattern pattern;
    private final DemoEncoder encoder;
    private final Arena frameArena;
    /** The one picture buffer: drawn into, then read in place by the encoder, every frame. */
    private final MemorySegment frame;
    private final AccessUnitListener fanOut = this::deliver;
    private final CountDownLatch firstUnit = new CountDownLatch(1);

    private volatile AccessUnitListener[] listeners = NO_LISTENERS;
    private volatile boolean running;
    private volatile Throwable failure;
    private volatile long framesSent;
    private volatile long framesSkipped;
    private volatile long listenerFailures;
    private Thread thread;
    private boolean released;

    /** A 1280x720, 25 fps camera at 2 Mbit/s. */
    public DemoCamera() {
        this(DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_FPS, DemoEncoder.defaultBitrate(DEFAULT_WIDTH, DEFAULT_HEIGHT));
    }

    /** A camera of {@code width x height} at {@code fps} frames per second and {@code bitrate} bits per second. */
    public DemoCamera(int width, int height, int fps, int bitrate) {
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.pattern = new DemoPattern(width, height, ZoneId.systemDefault().getRules().getOffset(Instant.now()));
        this.encoder = new DemoEncoder(width, height, fps, bitrate);
        this.frameArena = Arena.ofShared();
        this.frame = frameArena.allocate(pattern.frameBytes(), 64);
    }

    /** A camera with the default bitrate for its size ({@link DemoEncoder#defaultBitrate}). */
    public DemoCamera(int width, int height, int fps) {
        this(width, height, fps, DemoEncoder.defaultBitrate(width, height));
    }

    public void addListener(AccessUnitListener listener) {
        if (listener == null) {
            throw new NullPointerException("listener");
        }
        synchronized (this) {
            AccessUnitListener[] now = listeners;
            AccessUnitListener[] more = Arrays.copyOf(now, now.length + 1);
            more[now.length] = listener;
            listeners = more;
        }
    }

    public void removeListener(AccessUnitListener listener) {
        synchronized (this) {
            AccessUnitListener[] now = listeners;
            for (int i = 0; i < now.length; i++) {
                if (now[i] == listener) {
                    AccessUnitListener[] fewer = new AccessUnitListener[now.length - 1];
                    System.arraycopy(now, 0, fewer, 0, i);
                    System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
                    listeners = now.length == 1 ? NO_LISTENERS : fewer;
                    return;
                }
            }
        }
    }

    /**
     * Starts the camera thread and returns once the first picture (a keyframe) is out, so that
     * {@link #sequenceParameterSet()} and {@link #pictureParameterSet()} are known.
     *
     * @throws IllegalStateException when started twice, after {@link #close()}, or when the first
     *                               frame cannot be encoded
     */
    public void start() {
        synchronized (this) {
            if (released || thread != null) {
                throw new IllegalStateException(released ? "the demo camera is closed" : "the demo camera is already started");
            }
            running = true;
            thread = Thread.ofPlatform().daemon().name("virta-demo-camera-" + width + "x" + height).start(this::run);
        }
        try {
            if (!firstUnit.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the demo camera sent no frame within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the demo camera's first frame", e);
        }
        Throwable failed = failure;
        if (failed != null) {
            throw new IllegalStateException("the demo camera failed: " + failed.getMessage(), failed);
        }
    }

    /** Stops the camera thread (waiting for it, unless called from a listener) and frees the encoder. */
    @Override
    public void close() {
        Thread camera;
        synchronized (this) {
            running = false;
            camera = thread;
            if (camera == null) {
                release();
                return;
            }
        }
        LockSupport.unpark(camera);
        if (camera != Thread.currentThread()) {
            try {
                camera.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long startNanos = System.nanoTime();
        long frameIndex = 0;
        try {
            while (running) {
                long deadline = startNanos + slotStart(frameIndex);
                long wait;
                while (running && (wait = deadline - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (!running) {
                    break;
                }
                long captureMicros = EpochClock.toEpochMicros(deadline);
                pattern.render(frameIndex, captureMicros, frame);
                encoder.encode(frameIndex, frame, captureMicros, fanOut);
                framesSent++;
                firstUnit.countDown();
                frameIndex++;
                long due = slotAt(System.nanoTime() - startNanos);
                if (due > frameIndex) {
                    framesSkipped += due - frameIndex;
                    frameIndex = due;
                }
            }
        } catch (Throwable e) {
            failure = e;
            LOG.log(System.Logger.Level.ERROR, "demo camera " + width + "x" + height + " stopped", e);
        } finally {
            running = false;
            firstUnit.countDown();
            release();
        }
    }

    /** Nanoseconds from the start to frame {@code index}'s deadline, without overflow for centuries. */
    private long slotStart(long index) {
        return index / fps * NANOS_PER_SECOND + index % fps * NANOS_PER_SECOND / fps;
    }

    /** The frame whose deadline is the latest at or before {@code elapsedNanos}. */
    private long slotAt(long elapsedNanos) {
        return elapsedNanos / NANOS_PER_SECOND * fps + elapsedNanos % NANOS_PER_SECOND * fps / NANOS_PER_SECOND;
    }

    private void deliver(AccessUnit unit) {
        int size = unit.size();
        for (AccessUnitListener listener : listeners) {
            try {
                listener.onAccessUnit(unit);
            } catch (RuntimeException e) {
                long failures = ++listenerFailures;
                // Failures 1, 2, 4, 8, ...: a listener that fails on every frame must not flood the log.
                if (Long.bitCount(failures) == 1) {
                    LOG.log(System.Logger.Level.WARNING, "a demo camera listener failed on unit " + unit.sequence()
                            + " (" + failures + " listener failures so far)", e);
                }
            }
            // The next listener gets the unit as it was, whatever this one did to the buffer's cursors.
            unit.data().limit(size).position(0);
        }
    }

    private synchronized void release() {
        if (!released) {
            released = true;
            encoder.close();
            frameArena.close();
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int fps() {
        return fps;
    }

    public int bitrate() {
        return encoder.bitrate();
    }

    /** The scene being drawn: where its moving objects are in frame {@code n}, its colours, its strip. */
    public DemoPattern pattern() {
        return pattern;
    }

    /** The SPS NAL unit (no start code) for an SDP's {@code sprop-parameter-sets}; known once {@link #start()} returns. */
    public byte[] sequenceParameterSet() {
        return encoder.sequenceParameterSet();
    }

    /** The PPS NAL unit (no start code); known once {@link #start()} returns. */
    public byte[] pictureParameterSet() {
        return encoder.pictureParameterSet();
    }

    /** Pictures sent so far. */
    public long framesSent() {
        return framesSent;
    }

    /** Frame slots passed over because the camera thread fell more than a frame behind. */
    public long framesSkipped() {
        return framesSkipped;
    }

    /** Times a listener threw. */
    public long listenerFailures() {
        return listenerFailures;
    }

    /** Whether the camera thread is running (false before start, after close, or after a failure). */
    public boolean isRunning() {
        return running;
    }
}
