package io.virta.producer.decode;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The native addresses of the few direct buffers a stream's access units come in (an emitter
 * reuses one unit, or rotates a handful), remembered by identity: looking one up allocates nothing,
 * whereas asking a buffer for its address makes a MemorySegment every time.
 */
final class DirectBufferSlots {
    static final int SLOTS = 8;

    private final ByteBuffer[] buffers = new ByteBuffer[SLOTS];
    private final long[] addresses = new long[SLOTS];
    private int nextVictim;

    /** The slot holding {@code buffer}, or -1. */
    int find(ByteBuffer buffer) {
        for (int i = 0; i < SLOTS; i++) {
            if (buffers[i] == buffer) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Puts {@code buffer} into a slot, replacing the least recently added one, and returns it; the
     * caller releases whatever it kept for the old occupant first.
     */
    int claim(ByteBuffer buffer) {
        int slot = nextVictim;
        nextVictim = (slot + 1) % SLOTS;
        buffers[slot] = buffer;
        addresses[slot] = MemorySegment.ofBuffer(buffer).address() - buffer.position();
        return slot;
    }

    /** The next slot {@link #claim} will replace. */
    int nextVictim() {
        return nextVictim;
    }

    /** Address of byte 0 of the buffer in {@code slot}. */
    long address(int slot) {
        return addresses[slot];
    }

    void clear(int slot) {
        buffers[slot] = null;
        addresses[slot] = 0;
    }
}
