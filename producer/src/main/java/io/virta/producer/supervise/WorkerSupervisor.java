package io.virta.producer.supervise;

import io.virta.producer.config.WorkerConfig;
import io.virta.grpc.ClientSecurity;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Launches the configured workers, restarts each one with back-off when its process ends, and
 * stops them all on {@link #close()}: SIGTERM, then SIGKILL for those still alive after
 * {@link #STOP_GRACE}.
 *
 * <p>All launching and bookkeeping runs on one long-lived thread. That is also what makes the
 * parent-death signal work: Linux sends it when the thread that started the process ends, so the
 * starting thread must live as long as the producer.
 */
public final class WorkerSupervisor implements AutoCloseable {
    /** Where a worker's output lines go: the producer's standard output by default, prefixed with the worker's name. */
    @FunctionalInterface
    public interface OutputSink {
        OutputSink STDOUT = (worker, line) -> System.out.println("[" + worker + "] " + line);

        void line(String worker, String line);
    }

    static final Duration STOP_GRACE = Duration.ofSeconds(3);
    private static final int MAX_LINE_CHARS = 4096;
    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());

    private final List<Supervised> workers = new ArrayList<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("virta-workers").daemon().unstarted(r));
    private final OutputSink output;
    private final Map<String, String> clientEnvironment;
    private volatile boolean closed;

    /**
     * @param control     the control API's address ({@code HOST:PORT}), which is also the event hub's;
     *                    Java workers get it as {@code --control}/{@code --hub}, commands as {@code {control}}/{@code {hub}}
     * @param javaWorkers how the application starts a Java worker (a {@code worker:} entry)
     */
    public WorkerSupervisor(List<WorkerConfig> configs, String control, JvmLaunch javaWorkers, OutputSink output) {
        this(configs, control, Map.of(), javaWorkers, output);
    }

    /**
     * @param control           as above
     * @param clientEnvironment added to every worker's environment before the worker's own {@code env:}:
     *                          the endpoint's token and CA ({@code VIRTA_TOKEN_FILE}/{@code VIRTA_TOKEN},
     *                          {@code VIRTA_CA_FILE}), so that a secret is never on a command line
     * @param javaWorkers       as above
     */
    public WorkerSupervisor(List<WorkerConfig> configs, String control, Map<String, String> clientEnvironment,
            JvmLaunch javaWorkers, OutputSink output) {
        this.output = output;
        this.clientEnvironment = Map.copyOf(clientEnvironment);
        for (WorkerConfig config : configs) {
            Map<String, String> values = Map.of("camera", config.camera(), "control", control, "hub", control,
                    "name", config.name());
            workers.add(new Supervised(config, WorkerCommandLine.of(config, values, javaWorkers), control));
        }
    }

    /** Starts every worker. */
    public WorkerSupervisor start() {
        for (Supervised worker : workers) {
            thread.execute(worker::launch);
        }
        return this;
    }

    public List<WorkerStatus> statuses() {
        List<WorkerStatus> statuses = new ArrayList<>();
        for (Supervised worker : workers) {
            statuses.add(worker.status());
        }
        return statuses;
    }

    /** Stops every worker (SIGTERM, then SIGKILL after {@link #STOP_GRACE}) and waits for them to end. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            thread.submit(() -> workers.forEach(Supervised::terminate)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "stopping workers", e);
        }
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (Supervised worker : workers) {
            worker.awaitOrKill(deadline);
        }
        thread.shutdownNow();
    }

    /** One worker's process and its history; changed only on the supervisor's thread. */
    private final class Supervised {
        private final WorkerConfig config;
        private final List<String> command;
        private final String control;
        private final RestartBackoff backoff;

        private volatile WorkerState state = WorkerState.BACKOFF;
        private volatile Process process;
        private volatile long startedAt;
        private volatile long nextStartAt;
        private volatile long restarts;
        private volatile int lastExitCode = -1;
        private volatile String lastError = "";
        /** The last line the process wrote: for a crash, usually what went wrong (a Python traceback's last line). */
        private volatile String lastLine = "";
        private Thread pump;
        private boolean everStarted;

        Supervised(WorkerConfig config, List<String> command, String control) {
            this.config = config;
            this.command = command;
            this.control = control;
            this.backoff = new RestartBackoff(config.restartMin(), config.restartMax());
        }

        void launch() {
            if (closed) {
                state = WorkerState.STOPPED;
                return;
            }
            if (everStarted) {
                restarts++;
            }
            everStarted = true;
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            // The producer's own token variables (if any) are not this endpoint's: only ours go on.
            builder.environment().keySet().removeAll(List.of(ClientSecurity.TOKEN_ENV, ClientSecurity.TOKEN_FILE_ENV,
                    ClientSecurity.CA_FILE_ENV));
            builder.environment().putAll(clientEnvironment);
            builder.environment().putAll(config.env());
            builder.environment().putAll(Map.of("VIRTA_WORKER_NAME", config.name(), "VIRTA_CAMERA", config.camera(),
                    "VIRTA_CONTROL", control, "VIRTA_HUB", control));
            if (config.directory() != null) {
                builder.directory(config.directory().toFile());
            }
            startedAt = System.nanoTime();
            try {
                Process started = builder.start();
                process = started;
                state = WorkerState.RUNNING;
                LOG.info(() -> "worker " + config.name() + " started, pid " + started.pid());
                lastLine = "";
                pump = Thread.ofVirtual().name("virta-worker-output-" + config.name()).start(() -> pump(started));
                started.onExit().thenRun(() -> thread.execute(() -> exited(started)));
            } catch (IOException e) {
                failed("cannot start " + command.getFirst() + ": " + e.getMessage(), -1);
            } catch (RuntimeException e) {
                // The executor refuses work once the supervisor has shut down.
                state = WorkerState.STOPPED;
            }
        }

        private void exited(Process ended) {
            if (ended != process) {
                return;
            }
            process = null;
            int code = ended.exitValue();
            try {
                // Let the output pump reach the end of the pipe, so the last line is the process's last word.
                pump.join(Duration.ofMillis(500));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String why = code > 128 ? "killed by signal " + (code - 128) + signalName(code - 128)
                    : "exited with status " + code + (lastLine.isBlank() ? "" : ": " + lastLine.strip());
            if (closed) {
                lastExitCode = code;
                state = WorkerState.STOPPED;
                return;
            }
            failed(why, code);
        }

        /** Records why the worker is not running and schedules the next start. */
        private void failed(String why, int code) {
            lastExitCode = code;
            lastError = why;
            long delay = backoff.nextDelayNanos(Duration.ofNanos(System.nanoTime() - startedAt));
            nextStartAt = System.nanoTime() + delay;
            state = WorkerState.BACKOFF;
            LOG.warning(() -> "worker " + config.name() + " (camera " + config.camera() + "): " + why
                    + "; starting it again in " + String.format("%.1f", delay / 1e9) + " s");
            try {
                thread.schedule(this::launch, delay, TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                state = WorkerState.STOPPED;
            }
        }

        private void pump(Process started) {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(started.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    lastLine = line.length() > 200 ? line.substring(0, 200) + "..." : line;
                    output.line(config.name(), line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) + "..." : line);
                }
            } catch (IOException e) {
                // The process ended and its pipe closed under us: nothing more to forward.
            }
        }

        void terminate() {
            Process running = process;
            if (running != null) {
                running.destroy();
            }
            if (state != WorkerState.RUNNING) {
                state = WorkerState.STOPPED;
            }
        }

        void awaitOrKill(long deadline) {
            Process running = process;
            if (running == null) {
                state = WorkerState.STOPPED;
                return;
            }
            try {
                if (!running.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warning(() -> "worker " + config.name() + " ignored SIGTERM for " + STOP_GRACE.toSeconds()
                            + " s; killing it");
                    running.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                running.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            process = null;
            state = WorkerState.STOPPED;
        }

        WorkerStatus status() {
            Process running = process;
            WorkerState now = state;
            long nanos = System.nanoTime();
            return new WorkerStatus(config.name(), config.camera(), now,
                    now == WorkerState.RUNNING && running != null ? running.pid() : 0, command, restarts,
                    lastExitCode, lastError, now == WorkerState.RUNNING ? (nanos - startedAt) / 1e9 : 0,
                    now == WorkerState.BACKOFF ? Math.max(0, (nextStartAt - nanos) / 1e9) : 0);
        }
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 6 -> " (SIGABRT)";
            case 9 -> " (SIGKILL)";
            case 11 -> " (SIGSEGV)";
            case 15 -> " (SIGTERM)";
            default -> "";
        };
    }
}
