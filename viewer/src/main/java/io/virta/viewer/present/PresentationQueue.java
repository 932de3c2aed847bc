package io.virta.viewer.present;

import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;

/**
 * One stream's presentation queue: a fixed set of frame slots (pixel buffers the render thread owns)
 * passed between the stream's feed thread, which fills them, and the render thread, which shows them.
 *
 * <p>A slot goes FREE, then WRITING (the feed copies a frame in), QUEUED (waiting until it is due),
 * PRESENTING (the render thread uploads it) and FREE again. Frames are discarded, and counted, when they
 * arrive after their due time ({@link #late()}), when a newer frame became due before they were shown
 * ({@link #superseded()}), when every slot is taken, which discards the oldest waiting frame
 * ({@link #overflow()}), and when the feed asks for a bigger resolution class and the render thread has
 * not reallocated yet ({@link #reallocating()}). The feed never waits for the render thread.
 *
 * <p>Every method is synchronized: the lock is held for a few field updates, twice per frame per
 * thread, and nothing here allocates.
 */
public final class PresentationQueue {
    /** {@link #claim} and {@link #takeDue} found nothing to hand out. */
    public static final int NONE = -1;

    private static final byte FREE = 0;
    private static final byte WRITING = 1;
    private static final byte QUEUED = 2;
    private static final byte PRESENTING = 3;

    private final String stream;
    private final int slots;
    private final byte[] state;
    private final long[] address;
    private final long[] due;
    private final long[] sequence;
    private final long[] captureMicros;
    private final int[] width;
    private final int[] height;
    private final ColorMatrix[] matrix;
    private final ColorRange[] range;
    /** Queued slots, oldest first: a ring of {@code slots} entries. */
    private final int[] waiting;
    private int waitingHead;
    private int waitingCount;

    private ResolutionClass allocated;
    private ResolutionClass wanted;
    private boolean reallocatingNow;

    private long received;
    private long presented;
    private long late;
    private long superseded;
    private long overflow;
    private long torn;
    private long reallocating;
    private long tooLarge;
    private volatile long lastArrivalNanos;
    private volatile long presentedCaptureMicros;

    public PresentationQueue(String stream, int slots) {
        if (slots < 3) {
            throw new IllegalArgumentException("a presentation queue needs at least 3 slots (one being written, one"
                    + " being shown, one waiting), not " + slots);
        }
        this.stream = stream;
        this.slots = slots;
        state = new byte[slots];
        address = new long[slots];
        due = new long[slots];
        sequence = new long[slots];
        captureMicros = new long[slots];
        width = new int[slots];
        height = new int[slots];
        matrix = new ColorMatrix[slots];
        range = new ColorRange[slots];
        waiting = new int[slots];
    }

    public String stream() {
        return stream;
    }

    public int slots() {
        return slots;
    }

    // ---- feed thread ----

    /**
     * Reserves a slot for a {@code frameWidth} x {@code frameHeight} frame that is due at {@code dueNanos}.
     *
     * @param late true when the frame arrived after its due time (the caller judges, by its clock); it is
     *             counted and no slot is handed out
     * @return the slot to copy the frame into (at {@link #address(int)}), or {@link #NONE}
     */
    public synchronized int claim(int frameWidth, int frameHeight, long dueNanos, boolean late, long nowNanos) {
        received++;
        lastArrivalNanos = nowNanos;
        if (late) {
            this.late++;
            return NONE;
        }
        if (allocated == null || !allocated.fits(frameWidth, frameHeight) || reallocatingNow || wanted != null) {
            ResolutionClass needed = ResolutionClass.of(frameWidth, frameHeight);
            if (needed == null) {
                tooLarge++;
                return NONE;
            }
            if (allocated == null || !allocated.fits(frameWidth, frameHeight)) {
                wanted = needed;
            }
            if (wanted != null || reallocatingNow) {
                reallocating++;
                return NONE;
            }
        }
        int slot = freeSlot();
        if (slot == NONE) {
            if (waitingCount == 0) {
                overflow++;
                return NONE;
            }
            slot = popOldestWaiting();
            overflow++;
        }
        state[slot] = WRITING;
        width[slot] = frameWidth;
        height[slot] = frameHeight;
        due[slot] = dueNanos;
        return slot;
    }

    /** Where the claimed {@code slot}'s pixel buffer is mapped, packed I420 of the slot's size. */
    public synchronized long address(int slot) {
        return address[slot];
    }

    /** The frame in {@code slot} is complete: it waits until it is due. */
    public synchronized void commit(int slot, long frameSequence, long frameCaptureMicros, ColorMatrix frameMatrix,
            ColorRange frameRange) {
        if (state[slot] != WRITING) {
            return;   // reallocated under the writer: the frame went with the old buffers
        }
        sequence[slot] = frameSequence;
        captureMicros[slot] = frameCaptureMicros;
        matrix[slot] = frameMatrix;
        range[slot] = frameRange;
        state[slot] = QUEUED;
        waiting[(waitingHead + waitingCount) % slots] = slot;
        waitingCount++;
    }

    /** The frame in {@code slot} was overwritten on the bus while it was being copied. */
    public synchronized void abandon(int slot) {
        if (state[slot] == WRITING) {
            state[slot] = FREE;
        }
        torn++;
    }

    // ---- render thread ----

    /** The resolution class the feed needs buffers of, or null while the current ones do. */
    public synchronized ResolutionClass wantedClass() {
        return wanted;
    }

    /**
     * Starts replacing the buffers: true when no slot is being written or shown, after which every slot
     * is FREE with no buffer until {@link #reallocated}. False means try again on the next pass.
     */
    public synchronized boolean beginReallocation() {
        for (int s = 0; s < slots; s++) {
            if (state[s] == WRITING || state[s] == PRESENTING) {
                return false;
            }
        }
        reallocatingNow = true;
        superseded += waitingCount;
        waitingCount = 0;
        for (int s = 0; s < slots; s++) {
            state[s] = FREE;
            address[s] = 0;
        }
        return true;
    }

    /** New buffers of {@code resolutionClass} are mapped at {@code addresses}; the feed may fill them. */
    public synchronized void reallocated(ResolutionClass resolutionClass, long[] addresses) {
        System.arraycopy(addresses, 0, address, 0, slots);
        allocated = resolutionClass;
        if (wanted == resolutionClass) {
            wanted = null;
        }
        reallocatingNow = false;
    }

    /**
     * The newest waiting frame that is due at {@code nowNanos}, now PRESENTING; older waiting frames are
     * discarded as superseded. {@link #NONE} when none is due.
     */
    public synchronized int takeDue(long nowNanos) {
        int chosen = NONE;
        while (waitingCount > 0) {
            int oldest = waiting[waitingHead];
            if (due[oldest] - nowNanos > 0) {
                break;
            }
            popOldestWaiting();
            if (chosen != NONE) {
                state[chosen] = FREE;
                superseded++;
            }
            chosen = oldest;
        }
        if (chosen != NONE) {
            state[chosen] = PRESENTING;
        }
        return chosen;
    }

    /** The render thread showed {@code slot}; its buffer is mapped again at {@code newAddress}. */
    public synchronized void presented(int slot, long newAddress) {
        address[slot] = newAddress;
        state[slot] = FREE;
        presented++;
        presentedCaptureMicros = captureMicros[slot];
    }

    /** When the oldest waiting frame is due, or {@link Long#MAX_VALUE} relative to nothing when none waits. */
    public synchronized long nextDueNanos(long orElse) {
        return waitingCount == 0 ? orElse : due[waiting[waitingHead]];
    }

    /** The buffer of {@code slot}, for the render thread (to unmap, upload from, and free it). */
    public synchronized long bufferAddress(int slot) {
        return address[slot];
    }

    public synchronized int width(int slot) {
        return width[slot];
    }

    public synchronized int height(int slot) {
        return height[slot];
    }

    public synchronized ColorMatrix matrix(int slot) {
        return matrix[slot];
    }

    public synchronized ColorRange range(int slot) {
        return range[slot];
    }

    public synchronized long sequence(int slot) {
        return sequence[slot];
    }

    // ---- counters (any thread) ----

    /** When the feed last got a frame from the bus (System.nanoTime), 0 before the first. */
    public long lastArrivalNanos() {
        return lastArrivalNanos;
    }

    /** Capture time of the frame shown last, µs since the epoch; 0 before the first. */
    public long presentedCaptureMicros() {
        return presentedCaptureMicros;
    }

    public synchronized long received() {
        return received;
    }

    public synchronized long presented() {
        return presented;
    }

    public synchronized long late() {
        return late;
    }

    public synchronized long superseded() {
        return superseded;
    }

    public synchronized long overflow() {
        return overflow;
    }

    public synchronized long torn() {
        return torn;
    }

    public synchronized long reallocating() {
        return reallocating;
    }

    public synchronized long tooLarge() {
        return tooLarge;
    }

    private int freeSlot() {
        for (int s = 0; s < slots; s++) {
            if (state[s] == FREE && address[s] != 0) {
                return s;
            }
        }
        return NONE;
    }

    private int popOldestWaiting() {
        int slot = waiting[waitingHead];
        waitingHead = (waitingHead + 1) % slots;
        waitingCount--;
        state[slot] = FREE;
        return slot;
    }
}
