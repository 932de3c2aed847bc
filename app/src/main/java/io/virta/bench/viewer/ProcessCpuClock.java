package io.virta.bench.viewer;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * This process's CPU time, every thread's (native ones too, such as the OpenGL renderer's), in
 * nanoseconds: clock_gettime(CLOCK_PROCESS_CPUTIME_ID). The JDK's getProcessCpuTime counts in 10 ms
 * ticks here, too coarse for rows that run 60 ms.
 */
final class ProcessCpuClock {
    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    private static final MethodHandle CLOCK_GETTIME = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("clock_gettime").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    /** struct timespec: seconds, then nanoseconds, each a long on x86-64 and aarch64 Linux. */
    private final MemorySegment timespec = Arena.ofAuto().allocate(16, 8);

    long nanos() {
        try {
            int status = (int) CLOCK_GETTIME.invokeExact(CLOCK_PROCESS_CPUTIME_ID, timespec);
            if (status != 0) {
                throw new IllegalStateException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
            }
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read this process's CPU time: " + e, e);
        }
        return timespec.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + timespec.get(ValueLayout.JAVA_LONG, 8);
    }
}
