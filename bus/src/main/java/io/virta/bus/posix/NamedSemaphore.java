package io.virta.bus.posix;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A POSIX named semaphore. Waiting uses {@code sem_clockwait} on CLOCK_MONOTONIC, the clock behind
 * {@link System#nanoTime()}, so deadlines survive wall-clock jumps; the timespec and the errno it
 * leaves live in pre-allocated native buffers, so a wait allocates nothing.
 *
 * <p>One instance is used by one thread at a time.
 */
public final class NamedSemaphore implements AutoCloseable {
    private static final long SEM_FAILED = -1L;

    private final String name;
    private final long handle;
    private final MemorySegment timespec;
    private final MemorySegment callState;
    private boolean closed;

    private NamedSemaphore(String name, long handle) {
        this.name = name;
        this.handle = handle;
        this.timespec = Arena.ofAuto().allocate(16, 8);
        this.callState = Arena.ofAuto().allocate(LibC.CALL_STATE);
    }

    /** Creates a new semaphore with value 0; fails if the name exists. Mode 0600, or 0660 with a group. */
    public static NamedSemaphore create(String name, String group) {
        Pointer p = LibC.Variadic.INSTANCE.sem_open("/" + name, LibC.O_CREAT | LibC.O_EXCL, 0600, 0);
        long handle = Pointer.nativeValue(p);
        if (handle == SEM_FAILED || handle == 0) {
            int errno = Native.getLastError();
            throw new IllegalStateException("cannot create semaphore /" + name + ": " + LibC.strerror(errno));
        }
        if (group != null) {
            Path path = Path.of("/dev/shm/sem." + name);
            try {
                Files.setAttribute(path, "posix:group", Permissions.lookupGroup(group));
                Files.setPosixFilePermissions(path, Permissions.GROUP_READ_WRITE);
            } catch (Exception e) {
                LibC.sem_close(handle);
                LibC.sem_unlink("/" + name);
                throw new IllegalStateException("cannot give semaphore /" + name + " to group '" + group
                        + "': " + e.getMessage(), e);
            }
        }
        return new NamedSemaphore(name, handle);
    }

    /** Opens an existing semaphore, or returns null if it does not exist or cannot be opened. */
    public static NamedSemaphore openExisting(String name) {
        Pointer p = LibC.Variadic.INSTANCE.sem_open("/" + name, 0);
        long handle = Pointer.nativeValue(p);
        if (handle == SEM_FAILED || handle == 0) {
            return null;
        }
        return new NamedSemaphore(name, handle);
    }

    /** Removes the name; processes that have it open keep using it until they close it. */
    public static boolean unlink(String name) {
        return LibC.sem_unlink("/" + name) == 0;
    }

    public String name() {
        return name;
    }

    /** Increments the semaphore, waking one waiter. Never blocks. */
    public boolean post() {
        return LibC.semPost(handle) == 0;
    }

    /** Takes every pending count; returns how many. */
    public int drain() {
        int n = 0;
        while (LibC.semTrywait(handle) == 0) {
            n++;
        }
        return n;
    }

    /**
     * Waits until the semaphore can be decremented or {@link System#nanoTime()} reaches
     * {@code deadlineNanos}. Returns true when it was decremented.
     */
    public boolean acquireUntil(long deadlineNanos) {
        timespec.set(ValueLayout.JAVA_LONG, 0, Math.floorDiv(deadlineNanos, 1_000_000_000L));
        timespec.set(ValueLayout.JAVA_LONG, 8, Math.floorMod(deadlineNanos, 1_000_000_000L));
        while (true) {
            if (LibC.semClockwait(handle, LibC.CLOCK_MONOTONIC, timespec.address()) == 0) {
                return true;
            }
            // System.nanoTime() reads CLOCK_MONOTONIC, the clock the deadline is on: past it, this was the timeout.
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            // Interrupted by a signal, or an error: wait again, learning errno this time (this allocates; it is rare).
            if (LibC.semClockwait(callState, handle, LibC.CLOCK_MONOTONIC, timespec.address()) == 0) {
                return true;
            }
            int errno = LibC.errno(callState);
            if (errno == LibC.ETIMEDOUT) {
                return false;
            }
            if (errno != LibC.EINTR) {
                throw new IllegalStateException("waiting on semaphore /" + name + " failed: "
                        + LibC.strerror(errno));
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.sem_close(handle);
        }
    }
}
