package io.virta.bus.posix;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

import java.util.BitSet;

/**
 * Pins threads to CPUs with {@code sched_setaffinity(2)}, so that I/O and decoder threads keep
 * their caches and stay off the cores left to analyzers. A set of CPUs comes from a list such as
 * {@code "0-1,4"}.
 *
 * <p>Every method acts on the calling thread. The producer's pinning reports a failure and goes on;
 * a benchmark's ({@link #pinCurrentThreadOrFail}) throws, since its figures need the placement.
 *
 * <p>Written on JNA's direct mapping rather than with OpenHFT's affinity library: pinning is one
 * system call, and the library would bring its own JNA version into the build.
 */
public final class CpuAffinity {
    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private static native int sched_setaffinity(int tid, long maskBytes, long[] mask);

    private CpuAffinity() {
    }

    /**
     * Parses a CPU list ({@code "0-3,6"}); the message of the exception names the bad part.
     *
     * @throws IllegalArgumentException for an empty, malformed or out-of-range list
     */
    public static BitSet parse(String list) {
        BitSet cpus = new BitSet();
        int available = Runtime.getRuntime().availableProcessors();
        for (String part : list.split(",")) {
            String p = part.trim();
            String[] ends = p.split("-");
            int first;
            int last;
            try {
                first = Integer.parseInt(ends[0].trim());
                last = ends.length == 2 ? Integer.parseInt(ends[1].trim()) : first;
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("'" + p + "' is not a CPU number or range such as 0-3");
            }
            if (ends.length > 2 || first < 0 || last < first || last >= 1024) {
                throw new IllegalArgumentException("'" + p + "' is not a CPU number or range such as 0-3");
            }
            if (last >= available) {
                throw new IllegalArgumentException("CPU " + last + " does not exist here (CPUs 0-" + (available - 1) + ")");
            }
            cpus.set(first, last + 1);
        }
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("the CPU list is empty");
        }
        return cpus;
    }

    /** Pins the calling thread to {@code cpus}; a failure is reported, not thrown (pinning is an optimisation). */
    public static boolean pinCurrentThread(BitSet cpus) {
        if (cpus == null || cpus.isEmpty()) {
            return false;
        }
        if (setAffinity(mask(cpus)) != 0) {
            System.err.println("virta: could not pin thread " + Thread.currentThread().getName() + " to CPUs " + cpus
                    + " (errno " + Native.getLastError() + ")");
            return false;
        }
        return true;
    }

    /**
     * Pins the calling thread to {@code cpus} or throws: for a measurement whose figures mean nothing
     * unless the placement it asked for holds.
     *
     * @throws IllegalArgumentException for an empty set
     * @throws IllegalStateException naming the errno when the kernel refuses (a CPU outside the process's
     *     cpuset, for instance)
     */
    public static void pinCurrentThreadOrFail(BitSet cpus) {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("no CPU to pin the thread to: the CPU set is empty");
        }
        if (setAffinity(mask(cpus)) != 0) {
            throw new IllegalStateException("sched_setaffinity to CPUs " + cpus + " failed: errno " + Native.getLastError());
        }
    }

    /**
     * Lets the calling thread run on any of the first 64 CPUs again, as before it was pinned.
     *
     * @throws IllegalStateException naming the errno when the kernel refuses
     */
    public static void unpinCurrentThread() {
        if (setAffinity(new long[] {-1L}) != 0) {
            throw new IllegalStateException("sched_setaffinity to every CPU failed: errno " + Native.getLastError());
        }
    }

    /** The kernel's bit mask of {@code cpus}: at least one word, as sched_setaffinity wants. */
    private static long[] mask(BitSet cpus) {
        long[] words = cpus.toLongArray();
        long[] mask = new long[Math.max(1, words.length)];
        System.arraycopy(words, 0, mask, 0, words.length);
        return mask;
    }

    private static int setAffinity(long[] mask) {
        return sched_setaffinity(0, (long) mask.length * Long.BYTES, mask);
    }
}
