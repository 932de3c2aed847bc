package io.virta.bus;

import io.virta.bus.layout.ChannelHeaderDescriptor;
import io.virta.bus.posix.NamedSemaphore;
import io.virta.bus.posix.Processes;
import io.virta.bus.posix.SharedMemoryObject;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One reader of a channel, with its own cursor: any number of readers, in any processes, follow one
 * writer independently, and a slow one disturbs nobody.
 *
 * <pre>
 *   try (ChannelReader reader = ChannelReader.builder("lobby.rgb").expect(ChannelType.RGB24).open()) {
 *       while (running) {
 *           PullStatus status = reader.pull(Duration.ofSeconds(1).toNanos());
 *           if (status.hasFrame()) {
 *               Frame frame = reader.frame();          // frame.lost() > 0 after an OVERRUN
 *               analyze(frame.payload());              // zero-copy view of shared memory
 *           }
 *       }
 *   }
 * </pre>
 *
 * A reader is used by one thread at a time. It follows docs/bus-format.md section 5.
 */
public final class ChannelReader implements AutoCloseable {
    /** Where a new reader starts. */
    public enum Start {
        /** At the newest committed frame, so a late joiner has a picture at once. */
        NEWEST,
        /** At the next frame the writer commits. */
        NEXT,
        /**
         * At the oldest frame still in the ring, so a reader that comes back gets what was published while
         * it was away (as far as the ring reaches).
         */
        OLDEST
    }

    private static final long LIVENESS_INTERVAL_NANOS = 100_000_000L;
    /** How often a reader looks for the new object while its writer's successor is about to publish it. */
    private static final long SUCCESSOR_POLL_NANOS = 10_000_000L;
    private static final AtomicLong DOORBELL_COUNTER = new AtomicLong();
    /** Doorbells this process created; a JVM that exits without closing its readers still removes them. */
    private static final java.util.Set<String> OWN_DOORBELLS = DoorbellJanitor.track();

    private final String name;
    private final Builder options;
    private final NamedSemaphore doorbell;
    private final boolean ownsDoorbell;
    private final Frame frame = new Frame();

    private ChannelMemory memory;
    private Object fileKey;
    private int cells;
    private int slot = -1;
    private long registration;
    private WriterLiveness detachedAs;
    /** The object was marked REPLACED but its successor is not under the name yet. */
    private boolean successorPending;

    private long cursor;
    private long pendingLost;
    private boolean resumeAtNewest;
    private long lastLivenessCheck;

    private long frames;
    private long lostTotal;
    private long overruns;
    private long timeouts;
    private boolean closed;

    private ChannelReader(Builder options, NamedSemaphore doorbell, boolean ownsDoorbell) {
        this.name = options.name;
        this.options = options;
        this.doorbell = doorbell;
        this.ownsDoorbell = ownsDoorbell;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Opens a reader with default options; throws if the channel does not exist yet. */
    public static ChannelReader open(String name) {
        return builder(name).open();
    }

    public String name() {
        return name;
    }

    /** The frame of the last pull that returned FRAME or OVERRUN. */
    public Frame frame() {
        return frame;
    }

    public ChannelType type() {
        return memory.type;
    }

    /** Nominal width of the channel's frames. */
    public int width() {
        return memory.width();
    }

    public int height() {
        return memory.height();
    }

    public int cells() {
        return cells;
    }

    public long cellCapacity() {
        return memory.layout.cellCapacity();
    }

    public long generation() {
        return memory.generation();
    }

    /**
     * The sequence number of the newest frame the writer committed (0 before its first): how far this
     * reader lags is this minus the sequence of the frame it holds. A hint, read without waiting.
     */
    public long newestSequence() {
        return memory.writeSequence();
    }

    /** Frames returned so far. */
    public long frames() {
        return frames;
    }

    /** Frames lost so far, summed over all overruns. */
    public long lost() {
        return lostTotal;
    }

    public long overruns() {
        return overruns;
    }

    public long timeouts() {
        return timeouts;
    }

    /** Waits up to {@code timeout} for the next frame. */
    public PullStatus pull(Duration timeout) {
        return pull(timeout.toNanos());
    }

    /** Returns the next frame if one is ready, without waiting. */
    public PullStatus poll() {
        return pull(0);
    }

    /**
     * Waits up to {@code timeoutNanos} for the next frame (docs/bus-format.md section 5.2). On
     * FRAME or OVERRUN, {@link #frame()} holds it.
     */
    public PullStatus pull(long timeoutNanos) {
        if (closed) {
            throw new IllegalStateException("reader of channel '" + name + "' is closed");
        }
        long deadline = System.nanoTime() + Math.max(0, timeoutNanos);
        if (frame.sequence() != 0 && !frame.isIntact()) {
            // The writer reused the cell of the frame the caller held: that frame counts as lost.
            pendingLost++;
            resumeAtNewest = true;
            frame.forget();
        }
        if (detachedAs != null) {
            PullStatus status = awaitNewWriter(deadline);
            if (status != null) {
                return status;
            }
        }
        boolean spun = options.spinNanos == 0;
        while (true) {
            PullStatus taken = take();
            if (taken != null) {
                return taken;
            }
            PullStatus change = checkWriter(false);
            if (change != null) {
                return change;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                timeouts++;
                return PullStatus.TIMEOUT;
            }
            if (!spun) {
                spun = true;
                if (spinUntil(Math.min(deadline, now + options.spinNanos))) {
                    continue;
                }
            }
            // Posts that arrived while we were busy would wake us for nothing; drop them, then look once more.
            doorbell.drain();
            if (isFrameReady()) {
                continue;
            }
            long check = now + (successorPending ? SUCCESSOR_POLL_NANOS : LIVENESS_INTERVAL_NANOS);
            if (!doorbell.acquireUntil(Math.min(deadline, check))) {
                change = checkWriter(true);
                if (change != null) {
                    return change;
                }
            }
        }
    }

    /**
     * Moves the cursor to the newest committed frame, so that the next pull returns it (or, if nothing new
     * was committed, the next frame to come). The frames passed over are skipped by choice, not lost:
     * they count in no counter of this reader, and their payloads are never touched. A worker that
     * analyzes a few frames per second calls this before each pull, so a slow analyzer never builds a
     * backlog. It also releases the frame the caller held: that frame is not judged (nor counted as lost)
     * if the writer reuses its cell afterwards. Returns the number of frames skipped.
     */
    public long skipToNewest() {
        if (closed || detachedAs != null) {
            return 0;
        }
        frame.forget();
        long written = memory.writeSequence();
        if (written <= cursor) {
            return 0;
        }
        long skipped = written - cursor;
        cursor = written;
        return skipped;
    }

    /**
     * Lets go of the frame the last pull returned: the caller is done with it, so a writer that reuses
     * its cell afterwards does not make it count as lost at the next pull (docs/bus-format.md section
     * 5.2, step 1). A reader that keeps no frame while it sleeps between pulls (the recorder, between
     * batches) calls it before sleeping.
     */
    public void release() {
        frame.forget();
    }

    /**
     * Takes back the wake-ups the writer rang since this reader last waited (docs/bus-format.md section
     * 5.2). A reader that polls on its own schedule rather than waiting in {@link #pull} (the recorder
     * sleeps and then writes a batch of frames) calls it before it sleeps, so that its doorbell's count
     * stays small. Cheap: no system call. A reader in a {@code WaitSet} shares its doorbell with the
     * set's other readers, whose wake-ups it must not take: there this does nothing.
     */
    public void dropWakeups() {
        if (!closed && ownsDoorbell) {
            doorbell.drain();
        }
    }

    /** True when a pull would return at once: a frame is ready, or the writer's state changed. */
    public boolean isReady() {
        if (detachedAs != null) {
            return newWriterAvailable() || writerResumed();
        }
        if (isFrameReady() || memory.state() != ChannelHeaderDescriptor.STATE_LIVE) {
            return true;
        }
        return System.nanoTime() - lastLivenessCheck >= LIVENESS_INTERVAL_NANOS
                && WriterLiveness.of(memory) == WriterLiveness.DEAD;
    }

    boolean isFrameReady() {
        return memory.writeSequence() >= cursor;
    }

    /** Steps 2 to 6 of section 5.2: returns FRAME or OVERRUN, or null when nothing is ready. */
    private PullStatus take() {
        long written = memory.writeSequence();
        if (written < cursor) {
            return null;
        }
        long lost = pendingLost;
        if (resumeAtNewest || written - cursor >= cells) {
            lost += written - cursor;
            cursor = written;
            resumeAtNewest = false;
        }
        int stalls = 0;
        while (true) {
            int cell = (int) ((cursor - 1) % cells);
            if (memory.cellSequence(cell) == cursor) {
                frame.load(cell, cursor);
                VarHandle.loadLoadFence();
                if (memory.cellSequence(cell) == cursor) {
                    break;
                }
            }
            // The writer lapped us while we looked: resume at its newest frame.
            long newest = memory.writeSequence();
            if (newest <= cursor && ++stalls > 3) {
                // A writer publishes a cell before writeSequence, so this cannot come from one that follows the format.
                throw new ChannelCorruptException("channel '" + name + "': writeSequence is " + newest + " but cell "
                        + cell + " holds sequence " + memory.cellSequence(cell)
                        + ": the object is damaged; restart its writer");
            }
            lost += Math.max(0, newest - cursor);
            cursor = Math.max(cursor, newest);
        }
        pendingLost = 0;
        cursor++;
        frames++;
        frame.lost(lost);
        if (lost > 0) {
            lostTotal += lost;
            overruns++;
            return PullStatus.OVERRUN;
        }
        return PullStatus.FRAME;
    }

    private boolean spinUntil(long until) {
        while (System.nanoTime() - until < 0) {
            if (isFrameReady()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /**
     * Reacts to a closed or replaced channel at once, and, when {@code force} or every 100 ms, to a dead
     * writer. Returns the status to report, or null if the writer is fine.
     */
    private PullStatus checkWriter(boolean force) {
        long now = System.nanoTime();
        int state = memory.state();
        if (state == ChannelHeaderDescriptor.STATE_LIVE && !force
                && now - lastLivenessCheck < LIVENESS_INTERVAL_NANOS) {
            return null;
        }
        lastLivenessCheck = now;
        switch (WriterLiveness.of(memory)) {
            case ALIVE:
                return null;
            case REPLACED:
                if (tryReattach()) {
                    return PullStatus.WRITER_RESTARTED;
                }
                // The successor marks this object before it renames its own over the name (section 4):
                // look for it again soon, and report nothing until it is there.
                successorPending = true;
                return null;
            case CLOSED:
                detachedAs = WriterLiveness.CLOSED;
                return PullStatus.END_OF_STREAM;
            default:
                detachedAs = WriterLiveness.DEAD;
                return PullStatus.WRITER_DIED;
        }
    }

    /**
     * After an end of stream or a writer's death: polls for a new writer until the deadline. Returns
     * null when the writer declared dead turned out to be alive (it stalled, or the clock stepped, for
     * more than 5 s, and its heartbeat is fresh again): the reader follows it again from its cursor.
     */
    private PullStatus awaitNewWriter(long deadline) {
        while (true) {
            if (newWriterAvailable() && tryReattach()) {
                detachedAs = null;
                return PullStatus.WRITER_RESTARTED;
            }
            if (writerResumed()) {
                detachedAs = null;
                lastLivenessCheck = System.nanoTime();
                return null;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                return detachedAs == WriterLiveness.CLOSED ? PullStatus.END_OF_STREAM : PullStatus.WRITER_DIED;
            }
            sleepUntil(Math.min(deadline, now + LIVENESS_INTERVAL_NANOS));
        }
    }

    private boolean newWriterAvailable() {
        Object key = fileKeyOf(ChannelName.objectPath(name));
        return key != null && !key.equals(fileKey);
    }

    /** True when the writer this reader declared dead is LIVE with a fresh heartbeat again (section 5.3). */
    private boolean writerResumed() {
        return detachedAs == WriterLiveness.DEAD && WriterLiveness.of(memory) == WriterLiveness.ALIVE;
    }

    /**
     * Moves to the object now under the channel's name, if it is another object than this reader's
     * and not itself replaced already (section 5.3).
     */
    private boolean tryReattach() {
        ChannelMemory next;
        Object key;
        try {
            Path path = ChannelName.objectPath(name);
            key = fileKeyOf(path);
            if (key == null || key.equals(fileKey)) {
                return false;
            }
            next = ChannelMemory.open(name, path);
            key = next.object.fileKey();
            if (key.equals(fileKey) || next.state() == ChannelHeaderDescriptor.STATE_REPLACED) {
                next.close();
                return false;
            }
        } catch (IOException | BusException e) {
            return false;
        }
        try {
            checkExpectations(next);
        } catch (ChannelMismatchException e) {
            next.close();
            throw e;
        }
        detach();
        attach(next, key);
        cursor = 1;
        pendingLost = 0;
        resumeAtNewest = false;
        return true;
    }

    /**
     * Section 5.1, step 5, from {@code newest} as loaded before the slot was taken. The oldest frame
     * counted in the ring is one cell short of a full ring: the writer may be filling that cell now.
     */
    private void placeCursor(long newest, Start start, OptionalLong after) {
        long oldest = Math.max(1, newest - cells + 2);
        if (after.isPresent()) {
            long wanted = after.getAsLong() + 1;
            if (wanted > newest + 1) {
                cursor = oldest;
            } else if (wanted < oldest) {
                cursor = oldest;
                pendingLost = oldest - wanted;
            } else {
                cursor = wanted;
            }
            return;
        }
        cursor = switch (start) {
            case NEWEST -> Math.max(newest, 1);
            case NEXT -> newest + 1;
            case OLDEST -> oldest;
        };
    }

    private void attach(ChannelMemory next, Object key) {
        int newSlot = next.register(Processes.selfPid(), registration, doorbell.name());
        if (newSlot < 0) {
            next.close();
            throw new NoFreeReaderSlotException(name, next.layout.readerSlotCount());
        }
        this.memory = next;
        this.fileKey = key;
        this.slot = newSlot;
        this.cells = next.layout.cellCount();
        MemorySegment[] payloads = new MemorySegment[cells];
        ByteBuffer[] buffers = new ByteBuffer[cells];
        for (int i = 0; i < cells; i++) {
            payloads[i] = next.payload(i).asReadOnly();
            buffers[i] = payloads[i].byteSize() <= Integer.MAX_VALUE ? payloads[i].asByteBuffer() : null;
        }
        frame.attach(next, payloads, buffers);
        this.lastLivenessCheck = 0;
        this.detachedAs = null;
        this.successorPending = false;
    }

    private void detach() {
        if (memory != null) {
            if (slot >= 0) {
                memory.unregister(slot, registration);
            }
            memory.close();
            memory = null;
            slot = -1;
        }
    }

    private void checkExpectations(ChannelMemory m) {
        Builder o = options;
        if (o.type != null && o.type != m.type) {
            throw new ChannelMismatchException("channel '" + name + "' carries " + m.type + " but this reader expects "
                    + o.type + ": attach to a " + o.type + " channel of that camera, or change the expected type");
        }
        if (o.width != 0 && (o.width != m.width() || o.height != m.height())) {
            throw new ChannelMismatchException("channel '" + name + "' has frames of " + m.width() + "x" + m.height()
                    + " but this reader expects " + o.width + "x" + o.height
                    + ": configure the channel's size, or expect " + m.width() + "x" + m.height());
        }
        if (o.format != null && o.format.code() != m.formatCode()) {
            PixelFormat actual = PixelFormat.fromCode(m.formatCode());
            throw new ChannelMismatchException("channel '" + name + "' carries format "
                    + (actual == null ? "code " + m.formatCode() : actual) + " but this reader expects " + o.format
                    + ": attach to the matching channel, or change the expected format");
        }
    }

    private static Object fileKeyOf(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static void sleepUntil(long deadline) {
        long nanos = deadline - System.nanoTime();
        if (nanos > 0) {
            try {
                Thread.sleep(Duration.ofNanos(nanos));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Leaves the channel: frees the slot and removes this reader's doorbell. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        detach();
        if (ownsDoorbell) {
            doorbell.close();
            NamedSemaphore.unlink(doorbell.name());
            OWN_DOORBELLS.remove(doorbell.name());
        } else {
            options.waitSet.remove(this);
        }
    }

    /** Options of a reader; {@link #open()} attaches. */
    public static final class Builder {
        private final String name;
        private ChannelType type;
        private int width;
        private int height;
        private PixelFormat format;
        private Start start = Start.NEWEST;
        /** Set by {@link #startAfter}, which then decides the start instead of {@link #start}. */
        private OptionalLong after = OptionalLong.empty();
        private long spinNanos;
        private Duration awaitWriter = Duration.ZERO;
        private WaitSet waitSet;
        private String group;

        private Builder(String name) {
            this.name = ChannelName.validate(name);
        }

        /** Refuse to attach unless the channel has this type. */
        public Builder expect(ChannelType type) {
            this.type = type;
            return this;
        }

        /** Refuse to attach unless the channel's nominal frame size is this. */
        public Builder expectSize(int width, int height) {
            this.width = width;
            this.height = height;
            return this;
        }

        public Builder expectFormat(PixelFormat format) {
            this.format = format;
            return this;
        }

        public Builder start(Start start) {
            this.start = start;
            this.after = OptionalLong.empty();
            return this;
        }

        /**
         * Start at the first frame after {@code sequence}, for a reader that comes back to where it left
         * off (docs/bus-format.md section 5.1). If the writer overwrote some of the frames after it, the
         * reader starts at the oldest frame still in the ring and reports the ones it missed as lost on its
         * first pull (an OVERRUN). A sequence beyond the writer's newest cannot come from this object (its
         * sequence numbers only grow): it belongs to an earlier writer of the name, so every frame in the
         * ring is new to the caller and the reader starts at the oldest, with no loss reported. Whether
         * {@code sequence} was counted by this object's writer at all is the caller's to know: the reader
         * cannot tell.
         */
        public Builder startAfter(long sequence) {
            if (sequence < 0) {
                throw new IllegalArgumentException("startAfter(" + sequence + ") on channel '" + name
                        + "': sequence numbers start at 1; pass 0 to start at the first frame");
            }
            this.after = OptionalLong.of(sequence);
            return this;
        }

        /**
         * Spin for up to this long before blocking when nothing is ready: microsecond hand-off at the
         * price of a busy core. Zero (the default) blocks at once.
         */
        public Builder spin(Duration spin) {
            this.spinNanos = spin.toNanos();
            return this;
        }

        /** If the channel does not exist yet, wait this long for its writer instead of failing. */
        public Builder awaitWriter(Duration timeout) {
            this.awaitWriter = timeout;
            return this;
        }

        /** Share the doorbell of a {@link WaitSet}, to wait on many channels at once. */
        public Builder waitSet(WaitSet waitSet) {
            this.waitSet = waitSet;
            return this;
        }

        /** Give this reader's doorbell to a group, for a writer running as another user of it. */
        public Builder group(String group) {
            this.group = group;
            return this;
        }

        public ChannelReader open() {
            Path path = ChannelName.objectPath(name);
            long giveUp = System.nanoTime() + awaitWriter.toNanos();
            ChannelMemory memory;
            Object key;
            while (true) {
                try {
                    memory = ChannelMemory.open(name, path);
                    key = memory.object.fileKey();
                    break;
                } catch (NoSuchFileException e) {
                    if (System.nanoTime() - giveUp >= 0) {
                        throw new ChannelNotFoundException(name);
                    }
                    sleepUntil(System.nanoTime() + 50_000_000L);
                } catch (IOException e) {
                    throw new BusException("cannot open channel '" + name + "' (" + path + "): " + e.getMessage()
                            + ": check that this user may read it (its writer's group setting)", e);
                }
            }
            NamedSemaphore doorbell = null;
            ChannelReader reader = null;
            try {
                boolean owns = waitSet == null;
                doorbell = owns ? createDoorbell() : waitSet.doorbell();
                reader = new ChannelReader(this, doorbell, owns);
                reader.checkExpectations(memory);
                reader.registration = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
                // Read before taking the slot: a writer waiting for readers may commit the moment we appear.
                long newest = memory.writeSequence();
                reader.attach(memory, key);
                reader.placeCursor(newest, start, after);
                if (waitSet != null) {
                    waitSet.add(reader);
                }
                return reader;
            } catch (RuntimeException e) {
                if (reader == null || reader.memory == null) {
                    memory.close();
                } else {
                    reader.detach();
                }
                if (doorbell != null && waitSet == null) {
                    doorbell.close();
                    NamedSemaphore.unlink(doorbell.name());
                }
                throw e;
            }
        }

        private NamedSemaphore createDoorbell() {
            int pid = Processes.selfPid();
            for (int attempt = 0; ; attempt++) {
                String doorbellName = ChannelName.DOORBELL_PREFIX + pid + "." + Long.toString(DOORBELL_COUNTER.incrementAndGet(), 36)
                        + Long.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
                try {
                    NamedSemaphore created = NamedSemaphore.create(doorbellName, group);
                    OWN_DOORBELLS.add(doorbellName);
                    return created;
                } catch (IllegalStateException e) {
                    if (attempt >= 3) {
                        throw new BusException("cannot create a doorbell for a reader of channel '" + name + "': "
                                + e.getMessage(), e);
                    }
                }
            }
        }
    }
}
