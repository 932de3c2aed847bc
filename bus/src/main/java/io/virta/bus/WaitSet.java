package io.virta.bus;

import io.virta.bus.posix.NamedSemaphore;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Waits on many channels at once, like {@code select()} on libValkka's eventfds. Readers opened with
 * {@link ChannelReader.Builder#waitSet(WaitSet)} register this set's one doorbell in their channels, so
 * any of their writers wakes it.
 *
 * <pre>
 *   try (WaitSet set = new WaitSet()) {
 *       ChannelReader a = ChannelReader.builder("door.rgb").waitSet(set).open();
 *       ChannelReader b = ChannelReader.builder("yard.rgb").waitSet(set).open();
 *       ChannelReader ready = set.await(timeoutNanos);
 *       if (ready != null &amp;&amp; ready.poll().hasFrame()) { ... }
 *   }
 * </pre>
 *
 * Use it from one thread. Members are polled after each wake in turn, so a busy channel cannot starve
 * a quiet one.
 */
public final class WaitSet implements AutoCloseable {
    private static final long LIVENESS_INTERVAL_NANOS = 100_000_000L;

    private final NamedSemaphore doorbell;
    private final CopyOnWriteArrayList<ChannelReader> members = new CopyOnWriteArrayList<>();
    private int next;

    public WaitSet() {
        this(null);
    }

    /** A wait set whose doorbell belongs to {@code group}, for writers running as another user of it. */
    public WaitSet(String group) {
        String name = ChannelName.DOORBELL_PREFIX + io.virta.bus.posix.Processes.selfPid() + ".w"
                + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        this.doorbell = NamedSemaphore.create(name, group);
        DoorbellJanitor.track().add(name);
    }

    NamedSemaphore doorbell() {
        return doorbell;
    }

    void add(ChannelReader reader) {
        members.add(reader);
    }

    void remove(ChannelReader reader) {
        members.remove(reader);
    }

    /**
     * Waits up to {@code timeoutNanos} until some member has a frame ready or a change of writer to report,
     * and returns it; null on timeout. Follow with that reader's {@link ChannelReader#poll()}.
     */
    public ChannelReader await(long timeoutNanos) {
        long deadline = System.nanoTime() + Math.max(0, timeoutNanos);
        while (true) {
            ChannelReader ready = firstReady();
            if (ready != null) {
                return ready;
            }
            doorbell.drain();
            ready = firstReady();
            if (ready != null) {
                return ready;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                return null;
            }
            doorbell.acquireUntil(Math.min(deadline, now + LIVENESS_INTERVAL_NANOS));
        }
    }

    private ChannelReader firstReady() {
        int n = members.size();
        for (int i = 0; i < n; i++) {
            int index = (next + i) % n;
            ChannelReader reader = members.get(index);
            if (reader.isReady()) {
                next = index + 1;
                return reader;
            }
        }
        return null;
    }

    public int size() {
        return members.size();
    }

    /** Closes the members, then the doorbell. */
    @Override
    public void close() {
        for (ChannelReader reader : members) {
            reader.close();
        }
        doorbell.close();
        NamedSemaphore.unlink(doorbell.name());
        DoorbellJanitor.track().remove(doorbell.name());
    }
}
