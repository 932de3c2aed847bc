package io.virta.hub.delivery;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A subscriber's bounded queue: one producer (the hub's intake, under its lock) and one consumer (the
 * subscriber's delivery). When full, the newest message is dropped: the queue keeps the oldest, in
 * order, and the consumer learns how many were dropped right where they were dropped
 * ({@link #missedBefore()} of the next message that got in). No allocation per message.
 */
final class DeliveryRing<T> {
    private final Object[] items;
    private final long[] missedBefore;
    private final int mask;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();
    /** Producer side: dropped since the last message that got in. Guarded by the intake lock. */
    private long droppedPending;
    private volatile long droppedTotal;
    /** Consumer side: the gap before the message {@link #poll} returned last. */
    private long lastMissedBefore;

    DeliveryRing(int capacity) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two, not " + capacity);
        }
        items = new Object[capacity];
        missedBefore = new long[capacity];
        mask = capacity - 1;
    }

    /** Producer: enqueues {@code message}, or drops it (and counts it) when the queue is full. */
    boolean offer(T message) {
        long t = tail.get();
        if (t - head.get() > mask) {
            droppedPending++;
            droppedTotal = droppedTotal + 1;
            return false;
        }
        int slot = (int) t & mask;
        items[slot] = message;
        missedBefore[slot] = droppedPending;
        droppedPending = 0;
        tail.lazySet(t + 1);
        return true;
    }

    /** Consumer: the oldest message, or null. */
    @SuppressWarnings("unchecked")
    T poll() {
        long h = head.get();
        if (h == tail.get()) {
            return null;
        }
        int slot = (int) h & mask;
        T message = (T) items[slot];
        items[slot] = null;
        lastMissedBefore = missedBefore[slot];
        head.lazySet(h + 1);
        return message;
    }

    /** Consumer: how many messages were dropped just before the one {@link #poll} returned last. */
    long missedBefore() {
        return lastMissedBefore;
    }

    int size() {
        return (int) (tail.get() - head.get());
    }

    long droppedTotal() {
        return droppedTotal;
    }

    int capacity() {
        return items.length;
    }
}
