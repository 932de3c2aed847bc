package io.virta.rtsp.fanout;

import java.util.function.Supplier;

/**
 * A bounded single-producer, single-consumer ring of pre-allocated {@link Delivery} slots: the
 * publishing thread {@link #claim}s a slot, fills it and {@link #commit}s it; the event loop
 * {@link #peek}s, delivers, releases and {@link #advance}s. Nothing is allocated after construction.
 *
 * <p>Indices only grow: {@code tail - head} is the number of filled slots. Both are volatile so that
 * the slot's contents written before {@code commit} are visible after the consumer reads the tail,
 * and the slot's release before {@code advance} is complete before the producer reuses it.
 *
 * <p>The slots are lent, not handed over: the same objects go round and round, filled in place. When
 * every slot is taken, {@link #claim} says so and the caller decides what to drop ({@link LoopFanout}
 * drops the unit for that loop); unlike the event hub's drop-newest queue, this ring drops nothing itself.
 */
final class SlotRing<D extends Delivery<D>> {
    private final Delivery<?>[] slots;
    private final int mask;
    /** Next slot the consumer reads; written by the consumer only. */
    private volatile long head;
    /** Next slot the producer fills; written by the producer only. */
    private volatile long tail;

    /** {@code capacity}: rounded up to a power of two. */
    SlotRing(int capacity, Supplier<D> newSlot) {
        if (capacity < 1 || capacity > 1 << 16) {
            throw new IllegalArgumentException("ring capacity " + capacity + ": give 1 to 65536 slots");
        }
        int size = capacity == 1 ? 1 : Integer.highestOneBit(capacity - 1) << 1;
        slots = new Delivery<?>[size];
        for (int i = 0; i < size; i++) {
            slots[i] = newSlot.get();
        }
        mask = size - 1;
    }

    int capacity() {
        return slots.length;
    }

    /** Producer: the slot to fill next, or null when every slot is still waiting for the consumer. */
    @SuppressWarnings("unchecked")
    D claim() {
        long t = tail;
        if (t - head >= slots.length) {
            return null;
        }
        return (D) slots[(int) t & mask];
    }

    /** Producer: hands the claimed slot to the consumer. */
    void commit() {
        tail = tail + 1;
    }

    /** Either side: no slot is waiting for the consumer. */
    boolean isEmpty() {
        return head == tail;
    }

    /** Consumer: the oldest filled slot, or null when there is none. */
    @SuppressWarnings("unchecked")
    D peek() {
        long h = head;
        return h == tail ? null : (D) slots[(int) h & mask];
    }

    /** Consumer: gives the slot from {@link #peek} back to the producer. */
    void advance() {
        head = head + 1;
    }
}
