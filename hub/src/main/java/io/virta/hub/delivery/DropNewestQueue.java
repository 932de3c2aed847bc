package io.virta.hub.delivery;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A subscriber's bounded queue: one producer (the hub's intake, under its lock) and one consumer (the
 * subscriber's delivery). When full, the newest message is dropped: the queue keeps the oldest, in
 * order. The consumer learns how many were dropped exactly where they were dropped: before the next
 * message that got in ({@link #missedBefore()}), or once it has taken everything that came before the
 * drops ({@link #missedAtTail()}). No allocation per message.
 *
 * <p>It queues references that the producer hands over and forgets, and decides itself what a full
 * queue does (drop the newest, count it); the RTSP fan-out's {@code SlotRing}, by contrast, lends
 * pre-allocated slots that are filled in place and leaves a full ring to its caller.
 */
final class DropNewestQueue<T> {
    private final Object[] items;
    /** The drop count when each slot's message got in: drops between two messages show as a difference. */
    private final long[] droppedAtOffer;
    private final int mask;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();
    /** Written by the producer only. */
    private volatile long dropped;
    /** Consumer side: drops already reported. */
    private long reported;
    private long lastMissedBefore;

    DropNewestQueue(int capacity) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two, not " + capacity);
        }
        items = new Object[capacity];
        droppedAtOffer = new long[capacity];
        mask = capacity - 1;
    }

    /** Producer: enqueues {@code message}, or drops it (and counts it) when the queue is full. */
    boolean offer(T message) {
        long t = tail.get();
        if (t - head.get() > mask) {
            dropped = dropped + 1;
            return false;
        }
        int slot = (int) t & mask;
        items[slot] = message;
        droppedAtOffer[slot] = dropped;
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
        long droppedBefore = droppedAtOffer[slot];
        head.lazySet(h + 1);
        lastMissedBefore = droppedBefore - reported;
        reported = droppedBefore;
        return message;
    }

    /** Consumer: how many messages were dropped just before the one {@link #poll} returned last. */
    long missedBefore() {
        return lastMissedBefore;
    }

    /**
     * Consumer, after {@link #poll} returned null: drops not reported yet, now that every message that
     * got in before them has been taken (0 if none). Counts them as reported.
     */
    long missedAtTail() {
        long total = dropped;   // first: every drop counted here happened before the emptiness check below
        if (head.get() != tail.get() || total == reported) {
            return 0;
        }
        long missed = total - reported;
        reported = total;
        return missed;
    }

    int size() {
        return (int) (tail.get() - head.get());
    }

    long droppedTotal() {
        return dropped;
    }

    int capacity() {
        return items.length;
    }
}
