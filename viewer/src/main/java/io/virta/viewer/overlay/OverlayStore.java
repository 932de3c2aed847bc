package io.virta.viewer.overlay;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;

/**
 * The latest boxes of each shown camera, written by the event subscription's thread and read by the
 * render thread. Per camera, a ring of {@link #boxesPerCamera()} boxes in primitive arrays; a new box
 * overwrites the oldest one (counted in {@link #overwritten()} when that one could still have been on
 * screen). Boxes are never removed: {@link OverlayBoxes#markVisible} decides which are shown (a later
 * event of the same source replaces them; {@link OverlayTiming} ends those nothing replaced). An event
 * without boxes is stored as one empty entry ({@link #addEmpty}), so that it too replaces its source's
 * earlier boxes.
 *
 * <p>Camera keys are indexes 0..n-1 into the camera list, resolved once by {@link #cameraKey(String)}.
 *
 * <p>Writers lock the camera (a {@link StampedLock} each); the reader copies without locking and checks
 * that no write overlapped (an optimistic read, retried), so the render thread neither blocks on the
 * subscription nor allocates. After a few overlapped copies in a row (the writer was descheduled holding
 * the lock) it yields to the writer, and only after 2 ms of that waits for the read lock, which may
 * allocate a queue node.
 */
public final class OverlayStore {
    public static final int DEFAULT_BOXES_PER_CAMERA = 64;
    /** Optimistic copies tried back to back; a write takes well under a microsecond. */
    private static final int SPINS = 16;
    /** How long the reader then yields to a writer before it waits for the read lock. */
    private static final long YIELD_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final List<String> cameras;
    private final Map<String, Integer> keys = new HashMap<>();
    private final int capacity;
    private final OverlayTiming timing;
    private final StampedLock[] locks;
    /** Per camera: boxes ever written; the next slot is written % capacity. */
    private final long[] written;
    // Box fields at [camera * capacity + slot].
    private final float[] x;
    private final float[] y;
    private final float[] width;
    private final float[] height;
    private final float[] score;
    private final String[] label;
    private final String[] type;
    private final String[] source;
    /** An entry that stands for an event without boxes: never drawn, but it replaces. */
    private final boolean[] empty;
    private final long[] captureMicros;
    private final long[] receivedNanos;

    private final AtomicLong boxes = new AtomicLong();
    private final AtomicLong overwritten = new AtomicLong();

    /**
     * A store for {@code cameras} (the viewer's camera names, at least one, no repeats) holding
     * {@code boxesPerCamera} boxes each; {@code timing} tells when an overwritten box still counted.
     */
    public OverlayStore(List<String> cameras, int boxesPerCamera, OverlayTiming timing) {
        if (cameras.isEmpty()) {
            throw new IllegalArgumentException("overlays need at least one camera");
        }
        if (boxesPerCamera < 1) {
            throw new IllegalArgumentException("boxes per camera: " + boxesPerCamera + " is not a positive number");
        }
        for (int i = 0; i < cameras.size(); i++) {
            if (keys.putIfAbsent(cameras.get(i), i) != null) {
                throw new IllegalArgumentException("camera '" + cameras.get(i) + "' is listed twice");
            }
        }
        this.cameras = List.copyOf(cameras);
        this.capacity = boxesPerCamera;
        this.timing = timing;
        int n = cameras.size();
        locks = new StampedLock[n];
        for (int i = 0; i < n; i++) {
            locks[i] = new StampedLock();
        }
        written = new long[n];
        x = new float[n * capacity];
        y = new float[n * capacity];
        width = new float[n * capacity];
        height = new float[n * capacity];
        score = new float[n * capacity];
        label = new String[n * capacity];
        type = new String[n * capacity];
        source = new String[n * capacity];
        empty = new boolean[n * capacity];
        captureMicros = new long[n * capacity];
        receivedNanos = new long[n * capacity];
    }

    public OverlayStore(List<String> cameras, OverlayTiming timing) {
        this(cameras, DEFAULT_BOXES_PER_CAMERA, timing);
    }

    /** The camera's key, or -1 when the store does not hold it. */
    public int cameraKey(String camera) {
        Integer key = keys.get(camera);
        return key == null ? -1 : key;
    }

    public List<String> cameras() {
        return cameras;
    }

    public OverlayTiming timing() {
        return timing;
    }

    public int boxesPerCamera() {
        return capacity;
    }

    /**
     * Stores one box of camera {@code cameraKey}, from an event of {@code source} (the reporting worker;
     * may be empty). Coordinates are 0..1 of the picture; {@code receivedNanos} is {@link System#nanoTime()}
     * when the event arrived.
     */
    public void add(int cameraKey, String type, String source, long captureMicros, long receivedNanos,
                    float x, float y, float width, float height, String label, float score) {
        put(cameraKey, type, source, false, captureMicros, receivedNanos, x, y, width, height, label, score);
    }

    /** Stores an event of {@code source} without boxes: from its picture on, {@code source}'s earlier boxes go. */
    public void addEmpty(int cameraKey, String type, String source, long captureMicros, long receivedNanos) {
        put(cameraKey, type, source, true, captureMicros, receivedNanos, 0, 0, 0, 0, "", 0);
    }

    private void put(int cameraKey, String type, String source, boolean empty, long captureMicros, long receivedNanos,
                     float x, float y, float width, float height, String label, float score) {
        checkKey(cameraKey);
        StampedLock lock = locks[cameraKey];
        long stamp = lock.writeLock();
        try {
            long n = written[cameraKey];
            int at = cameraKey * capacity + (int) (n % capacity);
            if (n >= capacity && receivedNanos - timing.wallExpiryNanos(this.receivedNanos[at]) < 0) {
                overwritten.incrementAndGet();
            }
            this.x[at] = x;
            this.y[at] = y;
            this.width[at] = width;
            this.height[at] = height;
            this.score[at] = score;
            this.label[at] = label;
            this.type[at] = type;
            this.source[at] = source;
            this.empty[at] = empty;
            this.captureMicros[at] = captureMicros;
            this.receivedNanos[at] = receivedNanos;
            written[cameraKey] = n + 1;
        } finally {
            lock.unlockWrite(stamp);
        }
        boxes.incrementAndGet();
    }

    /** Copies camera {@code cameraKey}'s boxes, oldest first, into {@code into}. Allocates nothing. */
    public void copy(int cameraKey, OverlayBoxes into) {
        checkKey(cameraKey);
        if (into.capacity() < capacity) {
            throw new IllegalArgumentException("the copy holds " + into.capacity() + " boxes, the store " + capacity
                    + " per camera");
        }
        StampedLock lock = locks[cameraKey];
        long giveUp = 0;
        for (int attempt = 0; ; attempt++) {
            long stamp = lock.tryOptimisticRead();
            if (stamp != 0) {
                copyFields(cameraKey, into);
                if (lock.validate(stamp)) {
                    return;
                }
            }
            if (attempt < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            // The writer was most likely descheduled holding the lock: let it run.
            if (giveUp == 0) {
                giveUp = System.nanoTime() + YIELD_NANOS;
            } else if (System.nanoTime() - giveUp > 0) {
                break;
            }
            Thread.yield();
        }
        long stamp = lock.readLock();
        try {
            copyFields(cameraKey, into);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Copies without a lock; under an optimistic read the values may be torn, but indexes stay in range. */
    private void copyFields(int cameraKey, OverlayBoxes into) {
        long n = written[cameraKey];
        int size = (int) Math.min(n, capacity);
        int base = cameraKey * capacity;
        int oldest = (int) ((n - size) % capacity);
        for (int i = 0; i < size; i++) {
            int at = base + (oldest + i) % capacity;
            into.x[i] = x[at];
            into.y[i] = y[at];
            into.width[i] = width[at];
            into.height[i] = height[at];
            into.score[i] = score[at];
            into.label[i] = label[at];
            into.type[i] = type[at];
            into.source[i] = source[at];
            into.empty[i] = empty[at];
            into.captureMicros[i] = captureMicros[at];
            into.receivedNanos[i] = receivedNanos[at];
        }
        into.size = size;
    }

    private void checkKey(int cameraKey) {
        if (cameraKey < 0 || cameraKey >= locks.length) {
            throw new IllegalArgumentException("camera key " + cameraKey + " is outside 0.." + (locks.length - 1)
                    + " (resolve it with cameraKey(name); -1 means the camera has no overlays)");
        }
    }

    /** A copy with room for this store's boxes per camera, for one reader thread. */
    public OverlayBoxes newCopy() {
        return new OverlayBoxes(capacity);
    }

    /** Boxes stored since start. */
    public long boxes() {
        return boxes.get();
    }

    /** Boxes overwritten by newer ones of their camera while they could still have been on screen. */
    public long overwritten() {
        return overwritten.get();
    }
}
