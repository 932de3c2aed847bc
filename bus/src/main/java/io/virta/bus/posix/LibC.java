package io.virta.bus.posix;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The few libc calls the bus needs. Hot calls (post, wait) use JNA direct mapping with raw addresses,
 * which allocates nothing per call; {@code sem_open} is variadic, which only interface mapping passes
 * correctly, and it is called rarely.
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

    interface Variadic extends Library {
        Variadic INSTANCE = Native.load("c", Variadic.class);

        Pointer sem_open(String name, int oflag, Object... modeAndValue);
    }

    private LibC() {
    }

    static native int sem_post(long sem);

    static native int sem_trywait(long sem);

    static native int sem_clockwait(long sem, int clock, long absTimespec);

    static native int sem_close(long sem);

    static native int sem_unlink(String name);

    static native int kill(int pid, int signal);

    static native int getpid();

    static native String strerror(int errno);
}
