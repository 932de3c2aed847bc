package io.virta.producer.supervise;

import io.virta.producer.config.WorkerConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The supervisor against real processes (/bin/sh scripts): start, crash, back-off, stop. */
class WorkerSupervisorTest {
    /** What the application would give: here a stand-in that prints the arguments a Java worker gets. */
    private static final JvmLaunch JAVA_WORKERS = JvmLaunch.likeThisJvm(PrintArguments.class, "worker");
    private final BlockingQueue<String> output = new LinkedBlockingQueue<>();

    @Test
    void aKilledWorkerIsStartedAgainAndItsOutputIsForwarded() throws Exception {
        WorkerConfig sleeper = command("sleeper", "echo started {name} {camera} {control} $VIRTA_CAMERA; exec sleep 60");
        try (WorkerSupervisor supervisor = new WorkerSupervisor(List.of(sleeper), "127.0.0.1:5", JAVA_WORKERS, this::collect).start()) {
            assertEquals("sleeper: started sleeper lobby 127.0.0.1:5 lobby", output.poll(10, TimeUnit.SECONDS));
            WorkerStatus first = only(supervisor);
            assertEquals(WorkerState.RUNNING, first.state());
            assertEquals(-1, first.lastExitCode());

            ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
            assertEquals("sleeper: started sleeper lobby 127.0.0.1:5 lobby", output.poll(10, TimeUnit.SECONDS));
            await(() -> only(supervisor).state() == WorkerState.RUNNING && only(supervisor).pid() != first.pid());
            WorkerStatus second = only(supervisor);
            assertEquals(1, second.restarts());
            assertEquals(128 + 9, second.lastExitCode());
            assertEquals("killed by signal 9 (SIGKILL)", second.lastError());
            assertNotEquals(first.pid(), second.pid());
        }
    }

    @Test
    void aWorkerThatKeepsFailingBacksOffLongerEachTime() throws Exception {
        WorkerConfig failing = command("failing", "echo try; exit 3");
        try (WorkerSupervisor supervisor = new WorkerSupervisor(List.of(failing), "127.0.0.1:5", JAVA_WORKERS, this::collect).start()) {
            // Sampled while waiting: on a loaded machine this thread may look only after a 0.4 s wait has
            // run out, but a worker that backs off longer each time soon waits 0.8 s, 1.6 s, ...
            WorkerStatus status = awaitStatus(supervisor,
                    s -> s.restarts() >= 2 && s.state() == WorkerState.BACKOFF && s.nextStartSeconds() > 0.1);
            assertEquals(3, status.lastExitCode());
            assertEquals("exited with status 3: try", status.lastError());
            // 0.1 s, 0.2 s, 0.4 s, ...: after two restarts the wait is at least 0.4 s minus what has passed.
            assertTrue(status.nextStartSeconds() > 0.1, "next start in " + status.nextStartSeconds());
        }
    }

    @Test
    void closeStopsWorkersAndKillsThoseThatIgnoreSigterm() throws Exception {
        WorkerConfig polite = command("polite", "echo up; exec sleep 60");
        WorkerConfig stubborn = command("stubborn", "trap '' TERM; echo up; while true; do sleep 0.05; done");
        WorkerSupervisor supervisor = new WorkerSupervisor(List.of(polite, stubborn), "127.0.0.1:5", JAVA_WORKERS, this::collect).start();
        output.poll(10, TimeUnit.SECONDS);
        output.poll(10, TimeUnit.SECONDS);
        List<ProcessHandle> processes = supervisor.statuses().stream()
                .map(s -> ProcessHandle.of(s.pid()).orElseThrow()).toList();
        long start = System.nanoTime();
        supervisor.close();
        for (ProcessHandle process : processes) {
            assertFalse(process.isAlive(), "pid " + process.pid() + " still runs");
        }
        assertTrue(System.nanoTime() - start >= WorkerSupervisor.STOP_GRACE.toNanos() / 2,
                "the stubborn worker was given its grace period before SIGKILL");
        for (WorkerStatus status : supervisor.statuses()) {
            assertEquals(WorkerState.STOPPED, status.state());
        }
    }

    @Test
    void aProgramThatCannotStartIsReportedAndRetried() throws Exception {
        WorkerConfig missing = new WorkerConfig("missing", "lobby", null, List.of("no-such-program-virta"), List.of(),
                Map.of(), null, Duration.ofMillis(100), Duration.ofMillis(200));
        try (WorkerSupervisor supervisor = new WorkerSupervisor(List.of(missing), "127.0.0.1:5", JAVA_WORKERS, this::collect).start()) {
            // The worker alternates between a start that fails and a 0.1-0.2 s backoff: wait for a status
            // taken in a backoff, since a loaded machine may look only once the next try has begun.
            WorkerStatus status = awaitStatus(supervisor, s -> s.restarts() >= 1 && s.state() == WorkerState.BACKOFF);
            assertEquals(WorkerState.BACKOFF, status.state());
            // Under setpriv the failure is its exit status 127 and its message; without it, the exec error.
            assertTrue(status.lastError().contains("no-such-program-virta"), status.lastError());
        }
    }

    @Test
    void aJavaWorkerRunsAsTheApplicationsLaunchSays() throws Exception {
        WorkerConfig detector = new WorkerConfig("detector", "lobby", "motion", List.of(), List.of("--fps", "{name}"),
                Map.of(), null, Duration.ofMillis(100), Duration.ofSeconds(2));
        try (WorkerSupervisor supervisor = new WorkerSupervisor(List.of(detector), "127.0.0.1:5", JAVA_WORKERS,
                this::collect).start()) {
            assertEquals("detector: worker motion --camera lobby --control 127.0.0.1:5 --hub 127.0.0.1:5 --name detector"
                    + " --fps detector", output.poll(30, TimeUnit.SECONDS));
            assertEquals(WorkerState.RUNNING, only(supervisor).state());
        }
    }

    private static WorkerConfig command(String name, String script) {
        return new WorkerConfig(name, "lobby", null, List.of("/bin/sh", "-c", script), List.of(), Map.of(), null,
                Duration.ofMillis(100), Duration.ofSeconds(2));
    }

    private void collect(String worker, String line) {
        output.add(worker + ": " + line);
    }

    private static WorkerStatus only(WorkerSupervisor supervisor) {
        return supervisor.statuses().getFirst();
    }

    /** The first status of the only worker that meets {@code condition}, sampled every 20 ms for up to 15 s. */
    private static WorkerStatus awaitStatus(WorkerSupervisor supervisor, java.util.function.Predicate<WorkerStatus> condition)
            throws InterruptedException {
        WorkerStatus[] seen = new WorkerStatus[1];
        await(() -> {
            WorkerStatus now = only(supervisor);
            if (condition.test(now)) {
                seen[0] = now;
            }
            return seen[0] != null;
        });
        return seen[0];
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 15 s");
            Thread.sleep(20);
        }
    }
}
