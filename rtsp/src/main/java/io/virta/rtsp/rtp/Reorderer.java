package io.virta.rtsp.rtp;

import java.nio.ByteBuffer;

/**
 * Puts one stream's UDP packets back in sequence order before they reach a {@link RtpPacketHandler},
 * and decides when a missing packet is lost.
 *
 * <p>Packets are copied into a fixed ring of slots, one per sequence number in the window
 * {@code [next, next + capacity)}; nothing is allocated per packet (a slot grows once, to 64 KiB, the
 * first time a packet does not fit in it). In-order packets go straight through. A missing packet is
 * waited for until one of these, and then reported with {@link RtpPacketHandler#onLoss} just before the
 * packet after it:
 * <ul>
 *   <li>a packet arrives that does not fit in the window (it is {@code capacity} or more ahead);</li>
 *   <li>a packet has been held for {@code maxHoldNanos} ({@link #offer} and {@link #tick} check).</li>
 * </ul>
 * Duplicates and packets older than the window are dropped and counted. A jump of more than
 * {@code 2 * capacity} either way is taken as the sender restarting its sequence (a camera reboot, a new
 * encoder): after two consecutive packets confirm it, the window is flushed and restarts there instead of
 * reporting thousands of lost packets. A single stray packet far away is dropped.
 *
 * <p>The window starts at the first packet offered, which goes straight through: a packet older than it
 * that arrives later counts as late, not lost (joining a stream loses its first moments anyway; the
 * depacketizers wait for a keyframe). When the sender says where its stream starts (RTSP's
 * {@code RTP-Info}), {@link #startAt} opens the window there instead, so a first packet that arrives
 * after the second is still put in order.
 *
 * <p>The caller drives time: pass the same monotonic clock ({@link System#nanoTime()}) to {@link #offer}
 * and {@link #tick}, and call {@code tick} when {@link #nextDeadlineNanos()} passes with no packet coming.
 * Use it from one thread.
 *
 * <p>Only for UDP. Over TCP-interleaved transport packets arrive in order and complete, so the
 * receive loop hands them straight to the handler and skips this copy.
 */
public final class Reorderer {
    /** The slot size first reserved; enough for any packet sent within an Ethernet MTU. */
    public static final int DEFAULT_SLOT_SIZE = 2048;
    /** The largest window: a restart needs a jump above {@code 2 * capacity} within 16-bit numbers. */
    public static final int MAX_CAPACITY = 8192;

    private static final class Slot {
        ByteBuffer bytes;
        final RtpPacket packet = new RtpPacket();
        /** The extended sequence number this slot last held or was skipped at. */
        long sequence = Long.MIN_VALUE;
        long arrivalNanos;
        boolean occupied;
        boolean delivered;

        Slot(int size) {
            bytes = ByteBuffer.allocate(size);
        }
    }

    private final RtpPacketHandler handler;
    private final Slot[] slots;
    private final int capacity;
    private final long maxHoldNanos;
    private final int restartDistance;

    /** A far-away packet kept until the next packet says whether the stream restarted. */
    private Slot restartCandidate;
    private boolean haveRestartCandidate;

    private boolean started;
    /** Extended sequence number of the next packet to deliver. */
    private long next;
    private long highest;
    private int buffered;
    private int unreportedLoss;

    private long received;
    private long reordered;
    private long duplicates;
    private long late;
    private long lost;
    private long restarts;
    private long outOfRange;

    /**
     * @param capacity     packets the window holds, 1..{@value #MAX_CAPACITY} (64 covers ordinary Wi-Fi and
     *                     WAN reordering at camera bit rates)
     * @param maxHoldNanos how long a packet may wait for a missing one before that one is declared lost
     *                     (a few tens of ms: longer only adds latency)
     */
    public Reorderer(int capacity, long maxHoldNanos, RtpPacketHandler handler) {
        this(capacity, maxHoldNanos, DEFAULT_SLOT_SIZE, handler);
    }

    public Reorderer(int capacity, long maxHoldNanos, int slotSize, RtpPacketHandler handler) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be 1.." + MAX_CAPACITY + ", got " + capacity);
        }
        if (maxHoldNanos < 0) {
            throw new IllegalArgumentException("maxHoldNanos must be >= 0, got " + maxHoldNanos);
        }
        if (slotSize < RtpPacket.FIXED_HEADER_LENGTH || slotSize > RtpPacket.MAX_PACKET_LENGTH + 1) {
            throw new IllegalArgumentException("slotSize must be 12..65536, got " + slotSize);
        }
        if (handler == null) {
            throw new IllegalArgumentException("handler is null");
        }
        this.handler = handler;
        this.capacity = capacity;
        this.maxHoldNanos = maxHoldNanos;
        this.restartDistance = 2 * capacity;
        this.slots = new Slot[capacity];
        for (int i = 0; i < capacity; i++) {
            slots[i] = new Slot(slotSize);
        }
        this.restartCandidate = new Slot(slotSize);
    }

    /**
     * Takes a packet that {@link RtpPacket#wrap} accepted (its bytes are copied; the caller may reuse its
     * buffer on return) and delivers whatever is now in order. {@code nowNanos}: its arrival time.
     */
    public void offer(RtpPacket packet, long nowNanos) {
        if (packet.error() != RtpError.NONE) {
            throw new IllegalArgumentException("offer only packets that RtpPacket.wrap accepted: " + packet.error());
        }
        received++;
        int sequenceNumber = packet.sequenceNumber();
        if (!started) {
            restartAt(sequenceNumber);
        }
        int distance = (short) (sequenceNumber - (int) next);
        if (distance > restartDistance || distance < -restartDistance) {
            onFarAway(packet, sequenceNumber, nowNanos);
        } else {
            haveRestartCandidate = false;
            if (distance < 0) {
                onOld(next + distance);
            } else {
                place(packet, next + distance, nowNanos);
            }
        }
        releaseExpired(nowNanos);
    }

    /** Lets time pass: gives up on missing packets that have been waited for long enough. */
    public void tick(long nowNanos) {
        releaseExpired(nowNanos);
    }

    /**
     * When {@link #tick} next has something to do: the earliest arrival of a held packet plus the hold
     * time; {@link Long#MAX_VALUE} when nothing is held.
     */
    public long nextDeadlineNanos() {
        if (buffered == 0) {
            return Long.MAX_VALUE;
        }
        return oldestArrivalNanos() + maxHoldNanos;
    }

    /** Delivers everything held, reporting the gaps between, as at the end of a stream. */
    public void flush() {
        while (buffered > 0) {
            skipTo(firstHeldSequence());
            releaseInOrder();
        }
    }

    /**
     * Opens the window at {@code sequenceNumber}, the first packet the sender sends, before any packet
     * was offered; ignored once one was (the stream has started where it started).
     */
    public void startAt(int sequenceNumber) {
        if (!started) {
            restartAt(sequenceNumber & 0xffff);
        }
    }

    /** Forgets everything held and the position in the stream (the next packet starts a new window). */
    public void reset() {
        for (Slot slot : slots) {
            slot.occupied = false;
            slot.delivered = false;
            slot.sequence = Long.MIN_VALUE;
        }
        buffered = 0;
        unreportedLoss = 0;
        haveRestartCandidate = false;
        started = false;
    }

    private void restartAt(int sequenceNumber) {
        reset();
        started = true;
        // A base above 0 keeps extended numbers positive however far back the first packets reach.
        next = (1L << 32) + sequenceNumber;
        highest = next - 1;
    }

    private void place(RtpPacket packet, long sequence, long nowNanos) {
        if (sequence - next >= capacity) {
            skipTo(sequence - capacity + 1);
        }
        Slot slot = slotFor(sequence);
        if (slot.occupied && slot.sequence == sequence) {
            duplicates++;
            return;
        }
        copyInto(slot, packet);
        slot.sequence = sequence;
        slot.arrivalNanos = nowNanos;
        slot.occupied = true;
        slot.delivered = false;
        buffered++;
        if (sequence < highest) {
            reordered++;
        } else {
            highest = sequence;
        }
        releaseInOrder();
    }

    private void onOld(long sequence) {
        Slot slot = slotFor(sequence);
        if (slot.sequence == sequence && slot.delivered) {
            duplicates++;
        } else {
            late++;
        }
    }

    private void onFarAway(RtpPacket packet, int sequenceNumber, long nowNanos) {
        outOfRange++;
        boolean confirms = haveRestartCandidate
                && ((restartCandidate.packet.sequenceNumber() + 1) & 0xffff) == sequenceNumber;
        if (!confirms) {
            copyInto(restartCandidate, packet);
            restartCandidate.arrivalNanos = nowNanos;
            haveRestartCandidate = true;
            return;
        }
        flush();
        restarts++;
        Slot candidate = restartCandidate;
        restartAt(candidate.packet.sequenceNumber());
        // The candidate becomes the first slot of the new window; the slot it replaces becomes the spare.
        int index = slotIndex(next);
        restartCandidate = slots[index];
        slots[index] = candidate;
        candidate.sequence = next;
        candidate.occupied = true;
        candidate.delivered = false;
        buffered = 1;
        highest = next;
        place(packet, next + 1, nowNanos);
    }

    private void copyInto(Slot slot, RtpPacket packet) {
        int length = packet.packetLength();
        if (length > slot.bytes.capacity()) {
            slot.bytes = ByteBuffer.allocate(RtpPacket.MAX_PACKET_LENGTH + 1);
        }
        slot.bytes.clear();
        slot.bytes.put(0, packet.buffer(), packet.packetOffset(), length);
        slot.bytes.limit(length);
        slot.packet.wrap(slot.bytes);
    }

    private void releaseInOrder() {
        while (true) {
            Slot slot = slotFor(next);
            if (!slot.occupied || slot.sequence != next) {
                return;
            }
            deliver(slot);
        }
    }

    /** Moves the window start up to {@code target}: held packets are delivered, missing ones are lost. */
    private void skipTo(long target) {
        while (next < target) {
            Slot slot = slotFor(next);
            if (slot.occupied && slot.sequence == next) {
                deliver(slot);
            } else {
                slot.occupied = false;
                slot.delivered = false;
                slot.sequence = next;
                unreportedLoss++;
                lost++;
                next++;
            }
        }
    }

    private void deliver(Slot slot) {
        slot.occupied = false;
        slot.delivered = true;
        buffered--;
        next++;
        if (unreportedLoss > 0) {
            int count = unreportedLoss;
            unreportedLoss = 0;
            handler.onLoss(count);
        }
        handler.onPacket(slot.packet);
    }

    private void releaseExpired(long nowNanos) {
        while (buffered > 0 && nowNanos - oldestArrivalNanos() >= maxHoldNanos) {
            skipTo(firstHeldSequence());
            releaseInOrder();
        }
    }

    private long oldestArrivalNanos() {
        long oldest = Long.MAX_VALUE;
        boolean found = false;
        for (int i = 0; i < capacity; i++) {
            Slot slot = slotFor(next + i);
            if (slot.occupied && (!found || slot.arrivalNanos - oldest < 0)) {
                oldest = slot.arrivalNanos;
                found = true;
            }
        }
        return oldest;
    }

    private long firstHeldSequence() {
        for (int i = 0; i < capacity; i++) {
            Slot slot = slotFor(next + i);
            if (slot.occupied) {
                return slot.sequence;
            }
        }
        // Unreachable while the count is right; if it ever were wrong, the loops that call this must still end.
        buffered = 0;
        return next;
    }

    private Slot slotFor(long sequence) {
        return slots[slotIndex(sequence)];
    }

    private int slotIndex(long sequence) {
        // Extended numbers start at 2^32, so they stay positive.
        return (int) (sequence % capacity);
    }

    /** Packets offered. */
    public long received() {
        return received;
    }

    /** Packets that arrived after one with a higher sequence number (and were put back in order). */
    public long reordered() {
        return reordered;
    }

    /** Copies of a packet already held or just delivered, dropped. */
    public long duplicates() {
        return duplicates;
    }

    /** Packets that arrived after their place had been given up as lost (or too far back to tell), dropped. */
    public long late() {
        return late;
    }

    /** Packets reported to the handler as lost. */
    public long lost() {
        return lost;
    }

    /** Times the window restarted at a new sequence number. */
    public long restarts() {
        return restarts;
    }

    /** Packets more than {@code 2 * capacity} from the window: restart candidates and strays. */
    public long outOfRange() {
        return outOfRange;
    }

    /** Packets held now, waiting for an earlier one. */
    public int buffered() {
        return buffered;
    }
}
