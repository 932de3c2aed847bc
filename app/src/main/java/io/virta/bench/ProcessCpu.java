package io.virta.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time a process has used so far, from {@code /proc/<pid>/stat}: its own threads, not its children. */
public final class ProcessCpu {
    /** USER_HZ: the unit of utime and stime, 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {
    }

    /** utime + stime of {@code pid} in seconds. */
    public static double seconds(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            throw new UncheckedIOException("process " + pid + " has gone (it exited during the measurement)", e);
        }
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }

    public static double seconds(Iterable<Long> pids) {
        double sum = 0;
        for (long pid : pids) {
            sum += seconds(pid);
        }
        return sum;
    }
}
