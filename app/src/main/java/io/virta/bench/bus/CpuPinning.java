package io.virta.bench.bus;

import io.virta.bus.posix.CpuAffinity;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Where the benchmark puts its writer thread and reader processes. On a VM, waking a reader on an
 * idle CPU costs tens of microseconds more than waking it on the writer's CPU, so latency figures
 * mean something only when every pair being compared is placed the same way.
 */
enum CpuPinning {
    /** No pinning: the kernel decides, and may decide differently for each pair. */
    SCHEDULER("scheduler", "the scheduler's choice", -1, -1),
    /** The usual case for a producer: its decoder thread keeps working after a commit. */
    CROSS_CPU("cross-cpu", "writer on CPU 0, reader on CPU 1", 0, 1),
    /** The reader runs only once the writer blocks. */
    SAME_CPU("same-cpu", "writer and reader on CPU 1", 1, 1);

    /** The name {@code --placement} takes. */
    final String option;
    final String description;
    final int writerCpu;
    final int readerCpu;

    CpuPinning(String option, String description, int writerCpu, int readerCpu) {
        this.option = option;
        this.description = description;
        this.writerCpu = writerCpu;
        this.readerCpu = readerCpu;
    }

    static boolean available() {
        return Runtime.getRuntime().availableProcessors() >= 2 && new java.io.File("/usr/bin/taskset").canExecute();
    }

    /** Pins the calling thread; {@link #release()} undoes it. */
    void pinCurrentThread() {
        if (writerCpu >= 0) {
            BitSet cpu = new BitSet();
            cpu.set(writerCpu);
            CpuAffinity.pinCurrentThreadOrFail(cpu);
        }
    }

    static void release() {
        CpuAffinity.unpinCurrentThread();
    }

    /** The reader's command, run under taskset when this placement pins it. */
    List<String> readerCommand(List<String> command) {
        List<String> placed = new ArrayList<>();
        if (readerCpu >= 0) {
            placed.addAll(List.of("/usr/bin/taskset", "-c", Integer.toString(readerCpu)));
        }
        placed.addAll(command);
        return placed;
    }

    /** The C floor's arguments for the same placement. */
    List<String> floorArguments() {
        return writerCpu < 0 ? List.of()
                : List.of("--writer-cpu", Integer.toString(writerCpu), "--reader-cpu", Integer.toString(readerCpu));
    }
}
