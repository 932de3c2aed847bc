package io.virta.producer.supervise;

import io.virta.producer.config.WorkerConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command line of a supervised worker. A Java worker runs in a JVM of its own, as the application's
 * {@link JvmLaunch} says ({@code virta worker} in a JVM like the producer's, for the {@code virta}
 * command); a {@code command:} worker runs as written, placeholders filled in.
 *
 * <p>Both are wrapped in {@code setpriv --pdeathsig KILL}, so the kernel kills a worker whose
 * producer died, even by SIGKILL, instead of leaving it orphaned and holding a reader slot.
 */
public final class WorkerCommandLine {
    static final String SETPRIV = "/usr/bin/setpriv";

    private WorkerCommandLine() {
    }

    /** The program and its arguments, placeholders filled in from {@code values}. */
    static List<String> of(WorkerConfig worker, Map<String, String> values, JvmLaunch javaWorkers) {
        List<String> command;
        if (worker.javaWorker() != null) {
            command = dyingWithThisProcess(javaWorkers.command(List.of(worker.javaWorker(), "--camera",
                    worker.camera(), "--control", values.get("control"), "--hub", values.get("hub"), "--name",
                    worker.name())));
        } else {
            command = dyingWithThisProcess(List.of());
            for (String part : worker.command()) {
                command.add(WorkerConfig.expand(part, values));
            }
        }
        for (String arg : worker.args()) {
            command.add(WorkerConfig.expand(arg, values));
        }
        return List.copyOf(command);
    }

    /**
     * {@code command} behind what makes its program get SIGKILL when this process dies (where setpriv
     * exists); a list the caller may add to.
     */
    public static List<String> dyingWithThisProcess(List<String> command) {
        List<String> wrapped = new ArrayList<>();
        if (Files.isExecutable(Path.of(SETPRIV))) {
            wrapped.addAll(List.of(SETPRIV, "--pdeathsig", "KILL", "--"));
        }
        wrapped.addAll(command);
        return wrapped;
    }
}
