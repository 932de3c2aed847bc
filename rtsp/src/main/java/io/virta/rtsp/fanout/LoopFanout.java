package io.virta.rtsp.fanout;

import io.netty.channel.EventLoop;

import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One stream's clients grouped by the Netty event loop that writes to them, and the hand-off of each
 * unit from the publishing (ingest) thread to those loops: once per loop, whatever the number of
 * clients on it, and without allocating.
 *
 * <p>Per loop there is a bounded {@link SlotRing} of pre-allocated {@link Delivery} slots (the
 * publishing thread is its only producer, the loop its only consumer) and one reusable task that
 * drains it, scheduled on the loop only when it is not already pending. A slot holds
 * {@code retain()}ed references to the publisher's buffers, not duplicates: the clients never move
 * the shared buffers' indices (each writes its own duplicate), so one reference per loop is enough.
 * When the publishing thread is itself the loop and nothing is queued for it, the unit is delivered
 * at once, without a slot.
 *
 * <p>Drop policy: a full ring means the loop has not run for {@code capacity} units (it is stalled:
 * a socket's slow reader only fills that socket's buffer, which the client handles itself). The unit
 * is then dropped for every client of that loop, counted once per client in
 * {@link #clientUnitsDropped()} (the mounts add it to their frames/fragments dropped, which count
 * per client) and once in {@link #unitsDropped()}; and the loop gets nothing more until the next
 * keyframe, since its clients could not decode anything before it.
 *
 * @param <C> a client
 * @param <D> the mount's delivery slot
 */
public final class LoopFanout<C, D extends Delivery<D>> {
    private static final Logger LOG = Logger.getLogger(LoopFanout.class.getName());
    /** Over a second of video at camera rates: a loop this far behind is stuck, not busy. */
    public static final int DEFAULT_CAPACITY = 32;

    /** Gives one unit to one client, on that client's event loop; the client takes its own references. */
    @FunctionalInterface
    public interface Receiver<C, D> {
        void receive(C client, D delivery);
    }

    private final String name;
    private final int capacity;
    private final Supplier<D> newSlot;
    private final Receiver<C, D> receiver;
    @SuppressWarnings("rawtypes")
    private static final ClientLoop[] NO_LOOPS = {};
    /** Replaced whole on change, so the publishing thread reads it without a lock. */
    @SuppressWarnings("unchecked")
    private volatile ClientLoop<C, D>[] loops = NO_LOOPS;
    private final LongAdder unitsDropped = new LongAdder();
    private final LongAdder clientUnitsDropped = new LongAdder();

    /**
     * @param name     what the log calls this stream
     * @param capacity units queued per loop before that loop loses units
     * @param newSlot  makes one empty delivery slot (called {@code capacity} times per loop)
     * @param receiver delivers a unit to a client, on the client's loop
     */
    public LoopFanout(String name, int capacity, Supplier<D> newSlot, Receiver<C, D> receiver) {
        this.name = name;
        this.capacity = capacity;
        this.newSlot = newSlot;
        this.receiver = receiver;
    }

    /** Adds {@code client}, whose writes run on {@code loop}. */
    public synchronized void add(EventLoop loop, C client) {
        for (ClientLoop<C, D> existing : loops) {
            if (existing.loop == loop) {
                existing.add(client);
                return;
            }
        }
        // A loop's slots stay once made: there are only as many as the server has event loops.
        ClientLoop<C, D> added = new ClientLoop<>(this, loop, new SlotRing<>(capacity, newSlot));
        added.add(client);
        ClientLoop<C, D>[] more = Arrays.copyOf(loops, loops.length + 1);
        more[loops.length] = added;
        loops = more;
    }

    /** Removes {@code client}; units already queued for its loop no longer reach it. */
    public synchronized void remove(C client) {
        for (ClientLoop<C, D> loop : loops) {
            loop.remove(client);
        }
    }

    /** Removes every client, handing each to {@code action} first (to hang up on it). */
    public synchronized void removeAll(Consumer<C> action) {
        for (ClientLoop<C, D> loop : loops) {
            for (Object client : loop.clients) {
                @SuppressWarnings("unchecked")
                C c = (C) client;
                action.accept(c);
            }
            loop.clients = ClientLoop.NO_CLIENTS;
        }
    }

    /** Clients now. */
    public int clients() {
        int n = 0;
        for (ClientLoop<C, D> loop : loops) {
            n += loop.clients.length;
        }
        return n;
    }

    /** Units lost by a whole loop because its ring was full, counted once per loop. */
    public long unitsDropped() {
        return unitsDropped.sum();
    }

    /** The same losses counted once per client of the loop: frames those clients did not get. */
    public long clientUnitsDropped() {
        return clientUnitsDropped.sum();
    }

    /**
     * Hands {@code unit} to every loop that has clients. Call from one thread at a time (the ring's
     * single producer); {@code unit} stays the caller's: each queued slot takes its own references.
     */
    public void publish(D unit) {
        for (ClientLoop<C, D> loop : loops) {
            loop.publish(unit);
        }
    }

    /** The clients on one event loop, and the slots queued for it. */
    private static final class ClientLoop<C, D extends Delivery<D>> implements Runnable {
        static final Object[] NO_CLIENTS = {};

        final LoopFanout<C, D> fanout;
        final EventLoop loop;
        final SlotRing<D> ring;
        /** Set while a {@link #run} is pending on the loop, so that one task serves many units. */
        final AtomicBoolean scheduled = new AtomicBoolean();
        /** Replaced whole on change (under the fan-out's lock), so both sides read it without one. */
        volatile Object[] clients = NO_CLIENTS;
        /** Publisher only: this loop lost a unit, so it skips to the next keyframe. */
        boolean waitingForKeyframe;

        ClientLoop(LoopFanout<C, D> fanout, EventLoop loop, SlotRing<D> ring) {
            this.fanout = fanout;
            this.loop = loop;
            this.ring = ring;
        }

        void add(Object client) {
            Object[] more = Arrays.copyOf(clients, clients.length + 1);
            more[clients.length] = client;
            clients = more;
        }

        void remove(Object client) {
            Object[] now = clients;
            for (int i = 0; i < now.length; i++) {
                if (now[i] == client) {
                    Object[] fewer = new Object[now.length - 1];
                    System.arraycopy(now, 0, fewer, 0, i);
                    System.arraycopy(now, i + 1, fewer, i, fewer.length - i);
                    clients = fewer;
                    return;
                }
            }
        }

        void publish(D unit) {
            Object[] receivers = clients;
            if (receivers.length == 0) {
                return;
            }
            boolean keyframe = unit.keyframe();
            if (waitingForKeyframe && !keyframe) {
                return;
            }
            if (loop.inEventLoop() && ring.isEmpty()) {
                waitingForKeyframe = false;
                deliver(receivers, unit);
                return;
            }
            D slot = ring.claim();
            if (slot == null) {
                waitingForKeyframe = true;
                fanout.unitsDropped.increment();
                fanout.clientUnitsDropped.add(receivers.length);
                return;
            }
            waitingForKeyframe = false;
            slot.share(unit);
            ring.commit();
            // After the commit: a drain that has already cleared the flag will see this slot.
            if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
                schedule();
            }
        }

        private void schedule() {
            try {
                loop.execute(this);
            } catch (RejectedExecutionException e) {
                // The loop is shutting down and closes its clients; the slots stay queued until then.
                scheduled.set(false);
                LOG.log(Level.FINE, e, () -> fanout.name + ": event loop shutting down, unit not handed over");
            }
        }

        /** On the loop: delivers every queued unit, oldest first. */
        @Override
        public void run() {
            scheduled.set(false);
            // At most one ring's worth per run, so that a fast publisher cannot hold the loop forever.
            for (int n = ring.capacity(); n > 0; n--) {
                D unit = ring.peek();
                if (unit == null) {
                    return;
                }
                try {
                    deliver(clients, unit);
                } finally {
                    unit.release();
                    ring.advance();
                }
            }
            if (!ring.isEmpty() && scheduled.compareAndSet(false, true)) {
                schedule();
            }
        }

        @SuppressWarnings("unchecked")
        private void deliver(Object[] receivers, D unit) {
            for (Object client : receivers) {
                try {
                    fanout.receiver.receive((C) client, unit);
                } catch (RuntimeException e) {
                    // One client's failure must not cost the others this unit, nor leak the slot.
                    LOG.log(Level.WARNING, e, () -> fanout.name + ": delivering a unit to a client failed");
                }
            }
        }
    }
}
