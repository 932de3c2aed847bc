package io.virta.bus;

import io.virta.bus.layout.ChannelHeaderDescriptor;
import io.virta.bus.layout.ChannelLayout;
import io.virta.bus.layout.ReaderSlotDescriptor;
import io.virta.bus.posix.NamedSemaphore;
import io.virta.bus.posix.Processes;
import io.virta.bus.posix.SharedMemoryObject;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one writer of a channel. It never waits for a reader: each commit overwrites the oldest cell
 * and rings every attached reader's doorbell.
 *
 * <pre>
 *   try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24("lobby.rgb", 1280, 720))) {
 *       WritableFrame frame = writer.claim();
 *       decoder.decodeInto(frame.payload());          // straight into shared memory
 *       frame.captureTimeMicros(t).keyframe(true);
 *       writer.commit();
 *   }
 * </pre>
 *
 * One thread commits; {@link #close()} may come from any thread (the JVM's shutdown hook closes
 * writers still open, so readers see an orderly end on SIGTERM). Closing unmaps the payloads, so the
 * committing thread must have stopped first: an application stops its publishers in
 * {@link BusShutdown#first(Runnable)}, which runs before that hook closes the leftovers.
 */
public final class ChannelWriter implements AutoCloseable {
    private final ChannelSpec spec;
    private final ChannelMemory memory;
    private final MemorySegment[] payloads;
    private final WritableFrame frame;
    private final long defaultPayloadSize;
    private final NamedSemaphore[] doorbells;
    private final long[] doorbellRegistrations;
    private final int cells;
    private long nextSequence = 1;
    private boolean claimed;
    private volatile boolean closed;
    final Object tickLock = new Object();

    private ChannelWriter(ChannelSpec spec, ChannelMemory memory) {
        this.spec = spec;
        this.memory = memory;
        this.cells = memory.layout.cellCount();
        this.payloads = new MemorySegment[cells];
        for (int i = 0; i < cells; i++) {
            payloads[i] = memory.payload(i);
        }
        this.frame = new WritableFrame(this, memory.memory, payloads);
        this.defaultPayloadSize = Math.min(FrameGeometry.frameBytes(spec), memory.layout.cellCapacity());
        int slots = memory.layout.readerSlotCount();
        this.doorbells = new NamedSemaphore[slots];
        this.doorbellRegistrations = new long[slots];
    }

    /**
     * Creates the channel, replacing an object of the same name whose writer is gone
     * (docs/bus-format.md section 4).
     *
     * @throws ChannelBusyException if a live writer owns the name
     */
    public static ChannelWriter create(ChannelSpec spec) {
        Path path = ChannelName.objectPath(spec.name());
        ChannelLayout layout = ChannelLayout.compute(spec.cells(), spec.readerSlots(), spec.capacity());
        ChannelWriter writer = new ChannelWriter(spec, createObject(spec, layout, path));
        WriterTicker.register(writer);
        return writer;
    }

    /**
     * Steps 1 to 3 of section 4. Whatever is under the name is judged and replaced under its header
     * lock, and only while the name still refers to it; if the name changed hands meanwhile (another
     * writer started at the same instant), it looks again, and then finds that writer alive.
     */
    private static ChannelMemory createObject(ChannelSpec spec, ChannelLayout layout, Path path) {
        for (int attempt = 0; attempt < 8; attempt++) {
            SharedMemoryObject existing;
            try {
                existing = SharedMemoryObject.openExisting(path);
            } catch (NoSuchFileException e) {
                ChannelMemory created = publish(spec, layout, path, 1, false);
                if (created != null) {
                    return created;
                }
                continue;
            } catch (IOException e) {
                throw new BusException("cannot inspect existing channel object " + path + ": " + e.getMessage()
                        + ": remove it, or check its permissions", e);
            }
            try {
                ChannelMemory created = ChannelMemory.withHeaderLock(existing, () -> existing.isNamedBy(path)
                        ? publish(spec, layout, path, retire(spec.name(), path, existing) + 1, true)
                        : null, () -> {
                            throw new ChannelBusyException(spec.name(), "another process holds the header lock of "
                                    + path + " (a writer taking the channel over, or virta bus clean): try again");
                        });
                if (created != null) {
                    return created;
                }
            } finally {
                existing.close();
            }
        }
        throw new BusException("channel '" + spec.name() + "' changed hands 8 times while this writer tried to create"
                + " it: other writers keep starting under that name; run one writer per channel");
    }

    /**
     * Marks the object under the name REPLACED and wakes its readers, or refuses if its writer is
     * alive. Returns its generation, or 0 if it was not a channel. Runs under its header lock.
     */
    private static long retire(String name, Path path, SharedMemoryObject object) {
        ChannelMemory old;
        try {
            old = ChannelMemory.attach(name, object);
        } catch (ChannelCorruptException e) {
            // Garbage under our name (a torn file from a crash during creation, or a stray file):
            // nobody can be using it as a channel, so it is replaced.
            return 0;
        } catch (ChannelMismatchException e) {
            throw new BusException("channel '" + name + "' exists with another bus format version, whose writer"
                    + " this release cannot judge: stop that writer, or remove " + path, e);
        }
        // Not closed here: closing a descriptor would drop the header lock; the caller closes the object.
        if (WriterLiveness.of(old) == WriterLiveness.ALIVE) {
            throw new ChannelBusyException(name, old.writerPid());
        }
        old.state(ChannelHeaderDescriptor.STATE_REPLACED);
        for (int slot = 0; slot < old.layout.readerSlotCount(); slot++) {
            if (old.slotState(slot) != ReaderSlotDescriptor.STATE_ACTIVE) {
                continue;
            }
            String doorbell = old.slotDoorbell(slot);
            if (Processes.isAlive(old.slotPid(slot))) {
                ringOnce(doorbell);
            } else {
                NamedSemaphore.unlink(doorbell);
            }
        }
        return old.generation();
    }

    /**
     * Builds a complete object under a temporary name and gives it the channel's name: over the old
     * object ({@code replace}), or only if the name is still free. Returns null if it was not free.
     */
    private static ChannelMemory publish(ChannelSpec spec, ChannelLayout layout, Path path, long generation,
                                         boolean replace) {
        SharedMemoryObject object;
        try {
            object = SharedMemoryObject.createTemporary(ChannelName.SHM_DIR,
                    ChannelName.TEMPORARY_PREFIX + ChannelName.OBJECT_PREFIX + spec.name(),
                    layout.totalSize(), spec.group());
        } catch (IOException e) {
            throw new BusException("cannot create channel '" + spec.name() + "': " + e.getMessage(), e);
        }
        ChannelMemory memory = ChannelMemory.initialize(object, spec, layout, Processes.selfPid(),
                Clock.epochMicros(), generation);
        try {
            if (replace) {
                object.publishAs(path);
            } else if (!object.publishIfAbsent(path)) {
                object.deleteTemporary();
                memory.close();
                return null;
            }
            return memory;
        } catch (IOException e) {
            object.deleteTemporary();
            memory.close();
            throw new BusException("cannot publish channel '" + spec.name() + "' as " + path + ": " + e.getMessage(), e);
        }
    }

    private static void ringOnce(String doorbell) {
        NamedSemaphore semaphore = NamedSemaphore.openExisting(doorbell);
        if (semaphore != null) {
            semaphore.post();
            semaphore.close();
        }
    }

    public String name() {
        return spec.name();
    }

    public ChannelSpec spec() {
        return spec;
    }

    /** Largest payload a cell holds, in bytes. */
    public long capacity() {
        return memory.layout.cellCapacity();
    }

    public int cells() {
        return cells;
    }

    /** Sequence number of the last committed frame; 0 before the first. */
    public long sequence() {
        return nextSequence - 1;
    }

    public long generation() {
        return memory.generation();
    }

    /** How many readers are attached now. */
    public int readerCount() {
        int n = 0;
        for (int slot = 0; slot < doorbells.length; slot++) {
            if (memory.slotState(slot) == ReaderSlotDescriptor.STATE_ACTIVE) {
                n++;
            }
        }
        return n;
    }

    /**
     * Claims the next cell for writing in place. The frame that was in it is gone from this moment:
     * readers still holding it will see it as lost.
     */
    public WritableFrame claim() {
        ensureOpen();
        if (!claimed) {
            int cell = (int) ((nextSequence - 1) % cells);
            memory.markWriting(cell);
            frame.reset(cell, memory.layout.cellMetadata(cell), nextSequence, spec, defaultPayloadSize);
            claimed = true;
        }
        return frame;
    }

    /** Publishes the claimed frame and wakes the readers. Returns its sequence number. */
    public long commit() {
        if (!claimed) {
            throw new IllegalStateException("channel '" + name() + "': commit() without claim()");
        }
        if (frame.captureTimeMicros() == 0 || frame.arrivalTimeMicros() == 0) {
            long now = Clock.epochMicros();
            if (frame.captureTimeMicros() == 0) {
                frame.captureTimeMicros(now);
            }
            if (frame.arrivalTimeMicros() == 0) {
                frame.arrivalTimeMicros(now);
            }
        }
        long sequence = nextSequence;
        frame.commitTime(System.nanoTime());
        memory.publishCellSequence(frame.cell(), sequence);
        memory.publishWriteSequence(sequence);
        claimed = false;
        nextSequence++;
        ringDoorbells();
        return sequence;
    }

    /** Copies {@code source} into the next cell and commits it; other metadata takes its defaults. */
    public long write(MemorySegment source) {
        checkFits(source.byteSize());
        WritableFrame f = claim();
        MemorySegment.copy(source, 0, f.payload(), 0, source.byteSize());
        f.payloadSize(source.byteSize());
        return commit();
    }

    public long write(byte[] source) {
        return write(MemorySegment.ofArray(source));
    }

    public long write(ByteBuffer source) {
        return write(MemorySegment.ofBuffer(source));
    }

    private void checkFits(long size) {
        if (size > capacity()) {
            throw new PayloadTooLargeException(name(), size, capacity());
        }
    }

    private void ringDoorbells() {
        for (int slot = 0; slot < doorbells.length; slot++) {
            if (memory.slotState(slot) != ReaderSlotDescriptor.STATE_ACTIVE) {
                continue;
            }
            long registration = memory.slotRegistration(slot);
            if (doorbellRegistrations[slot] != registration) {
                openDoorbell(slot, registration);
            }
            NamedSemaphore doorbell = doorbells[slot];
            if (doorbell != null) {
                doorbell.post();
            }
        }
    }

    private void openDoorbell(int slot, long registration) {
        if (doorbells[slot] != null) {
            doorbells[slot].close();
        }
        String name = memory.slotDoorbell(slot);
        java.lang.invoke.VarHandle.loadLoadFence();
        if (memory.slotRegistration(slot) != registration) {
            // The slot was re-registered while we read the name, which may be torn: retry next commit.
            doorbells[slot] = null;
            doorbellRegistrations[slot] = 0;
            return;
        }
        doorbells[slot] = NamedSemaphore.openExisting(name);
        doorbellRegistrations[slot] = registration;
    }

    /** Called by {@link WriterTicker} every {@value ChannelHeaderDescriptor#HEARTBEAT_INTERVAL_MILLIS} ms. */
    void heartbeat() {
        synchronized (tickLock) {
            if (!closed) {
                memory.heartbeat(Clock.epochMicros());
            }
        }
    }

    /** Frees the slots of readers whose process died, and unlinks their doorbells. */
    void reapDeadReaders() {
        synchronized (tickLock) {
            if (closed) {
                return;
            }
            for (int slot = 0; slot < doorbells.length; slot++) {
                if (memory.slotState(slot) == ReaderSlotDescriptor.STATE_ACTIVE && !Processes.isAlive(memory.slotPid(slot))) {
                    String doorbell = memory.reclaimIfDead(slot, Processes::isAlive);
                    if (doorbell != null) {
                        NamedSemaphore.unlink(doorbell);
                    }
                }
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("channel '" + name() + "' is closed");
        }
    }

    /**
     * Ends the stream in order: readers see END_OF_STREAM, and the object's name is removed. A writer
     * that was judged stale and replaced (it hung for more than 5 s) leaves the name and the state
     * alone: they belong to its successor and its successor's readers now.
     */
    @Override
    public void close() {
        // A reader killed since the last sweep would otherwise leave its doorbell in /dev/shm for good.
        reapDeadReaders();
        synchronized (tickLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        WriterTicker.unregister(this);
        Path path = ChannelName.objectPath(name());
        boolean ended = memory.withHeaderLock(() -> {
            if (memory.state() == ChannelHeaderDescriptor.STATE_REPLACED) {
                return false;
            }
            memory.state(ChannelHeaderDescriptor.STATE_CLOSED);
            if (memory.object.isNamedBy(path)) {
                try {
                    java.nio.file.Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // Not ours to remove after all (permissions); readers have seen CLOSED either way.
                }
            }
            return true;
        }, () -> false);   // held by a hung process: leave state and name alone; readers see the heartbeat stop
        if (ended) {
            ringDoorbells();
        }
        for (NamedSemaphore doorbell : doorbells) {
            if (doorbell != null) {
                doorbell.close();
            }
        }
        memory.close();
    }
}
