package io.virta.bus.posix;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The few libc calls the bus needs. The calls of every frame (post, trywait, clockwait) are FFM
 * downcalls without errno capture: they allocate nothing, and after a reader is woken they run far less code than a JNA
 * call (libffi, a JNI upcall that records errno), which matters when writer and reader share a CPU:
 * the CPU time a reader spends per frame decides how often the scheduler lets it run at the writer's
 * post rather than only once the writer blocks (docs/benchmarks.md, "Hand-off on a shared CPU").
 * Rare calls use JNA; {@code sem_open} is variadic, which only JNA's interface mapping passes correctly.
 */
final class LibC {
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int CLOCK_MONOTONIC = 1;

    static final int EPERM = 1;
    static final int EINTR = 4;
    static final int ETIMEDOUT = 110;

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private static final Linker LINKER = Linker.nativeLinker();
    /** What {@link #semClockwait} leaves errno in: one per waiting thread, allocated once. */
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SEM_POST = downcall("sem_post",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    // glibc's sem_trywait never enters the kernel: a critical call skips the thread-state transition.
    private static final MethodHandle SEM_TRYWAIT = downcall("sem_trywait",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), Linker.Option.critical(false));
    private static final FunctionDescriptor SEM_CLOCKWAIT_SIGNATURE =
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG);
    // Capturing errno costs an allocation per call (the JDK slices the capture segment), so the wait of
    // every frame goes without it: success needs no errno, and a timeout shows on the clock. Only a
    // failure before the deadline (a signal, or an error) waits again through the capturing handle.
    private static final MethodHandle SEM_CLOCKWAIT = downcall("sem_clockwait", SEM_CLOCKWAIT_SIGNATURE);
    private static final MethodHandle SEM_CLOCKWAIT_ERRNO = downcall("sem_clockwait", SEM_CLOCKWAIT_SIGNATURE,
            Linker.Option.captureCallState("errno"));

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no " + name + ": the bus needs glibc 2.30 or later"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    interface Variadic extends Library {
        Variadic INSTANCE = Native.load("c", Variadic.class);

        Pointer sem_open(String name, int oflag, Object... modeAndValue);
    }

    private LibC() {
    }

    static int semPost(long sem) {
        try {
            return (int) SEM_POST.invokeExact(sem);
        } catch (Throwable t) {
            throw new AssertionError("sem_post downcall", t);
        }
    }

    static int semTrywait(long sem) {
        try {
            return (int) SEM_TRYWAIT.invokeExact(sem);
        } catch (Throwable t) {
            throw new AssertionError("sem_trywait downcall", t);
        }
    }

    /** sem_clockwait without errno: 0 when decremented, -1 on any failure. Allocates nothing. */
    static int semClockwait(long sem, int clock, long absTimespec) {
        try {
            return (int) SEM_CLOCKWAIT.invokeExact(sem, clock, absTimespec);
        } catch (Throwable t) {
            throw new AssertionError("sem_clockwait downcall", t);
        }
    }

    /** sem_clockwait; on failure, {@link #errno} of {@code callState} says why. Allocates per call. */
    static int semClockwait(MemorySegment callState, long sem, int clock, long absTimespec) {
        try {
            return (int) SEM_CLOCKWAIT_ERRNO.invokeExact(callState, sem, clock, absTimespec);
        } catch (Throwable t) {
            throw new AssertionError("sem_clockwait downcall", t);
        }
    }

    static int errno(MemorySegment callState) {
        return callState.get(ValueLayout.JAVA_INT, ERRNO_OFFSET);
    }

    static native int sem_close(long sem);

    static native int sem_unlink(String name);

    static native int kill(int pid, int signal);

    static native int getpid();

    static native String strerror(int errno);
}
