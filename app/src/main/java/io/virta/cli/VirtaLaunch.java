package io.virta.cli;

import io.virta.producer.supervise.JvmLaunch;
import io.virta.producer.supervise.WorkerCommandLine;

import java.util.List;

/**
 * The {@code virta} command line in a child JVM like this one (same java, class path and the flags
 * Virta needs): how the producer's supervisor starts Java workers ({@code virta worker NAME ...}), and
 * how the demo starts its viewer and the benchmarks their producer.
 *
 * <p>Stateless; any thread. Each call reads this JVM's flags and class path again (a launch is rare).
 *
 * <pre>{@code
 * producer.startWorkers(control.localTarget(), VirtaLaunch.javaWorkers(), WorkerSupervisor.OutputSink.STDOUT);
 * new ProcessBuilder(VirtaLaunch.command("viewer", "lobby")).inheritIO().start();
 * }</pre>
 */
public final class VirtaLaunch {
    private VirtaLaunch() {
    }

    /** What the producer runs a {@code worker:} entry with: {@code virta worker NAME --camera C ...}. */
    public static JvmLaunch javaWorkers() {
        return JvmLaunch.likeThisJvm(Virta.class, "worker");
    }

    /** {@code virta ARGUMENTS} in a child JVM that gets SIGKILL when this process dies. */
    public static List<String> command(String... arguments) {
        return WorkerCommandLine.dyingWithThisProcess(JvmLaunch.likeThisJvm(Virta.class).command(List.of(arguments)));
    }
}
