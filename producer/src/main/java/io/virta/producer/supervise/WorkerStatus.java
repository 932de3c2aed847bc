package io.virta.producer.supervise;

import java.util.List;

/**
 * A snapshot of one supervised worker, as the control API's ListWorkers reports it.
 *
 * @param pid              the process id while RUNNING, else 0
 * @param command          the command line the supervisor runs
 * @param restarts         times the process was started again after it ended
 * @param lastExitCode     the exit code of the last process, 128 + the signal that killed it, or -1 before any exit
 * @param lastError        why it last ended or failed to start; empty if never
 * @param uptimeSeconds    seconds since the running process started; 0 unless RUNNING
 * @param nextStartSeconds seconds until the next start while in BACKOFF, else 0
 */
public record WorkerStatus(String name, String camera, WorkerState state, long pid, List<String> command,
        long restarts, int lastExitCode, String lastError, double uptimeSeconds, double nextStartSeconds) {
}
