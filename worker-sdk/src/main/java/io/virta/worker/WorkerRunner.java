package io.virta.worker;

import io.virta.worker.events.EventPrinter;

import io.virta.worker.events.EventSink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a {@link Worker} on a thread of its own: attaches, calls {@code onStart}, hands it frames until
 * {@link #close()}, then calls {@code onStop}, closes the stream and closes (flushes) the event sinks.
 *
 * <pre>{@code
 * EventReporter hub = EventReporter.builder("127.0.0.1:50051").build();
 * try (WorkerRunner runner = WorkerRunner.builder(new MotionDetector(), FrameSource.camera("lobby").fps(4))
 *         .name("motion").events(hub).start()) {
 *     runner.awaitTermination();          // until close() from another thread, or a failure
 * }
 * }</pre>
 *
 * The runner owns the sinks given to it: it closes them when it stops.
 */
public final class WorkerRunner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WorkerRunner.class.getName());

    private final Worker worker;
    private final FrameStream stream;
    private final WorkerContext context;
    private final List<EventSink> sinks;
    private final long pullTimeoutNanos;
    private final Thread thread;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile Throwable failure;
    /** Set before {@code started} counts down when onStart threw: the start failed, not a later frame. */
    private volatile boolean startFailed;

    private WorkerRunner(Builder b, FrameStream stream) {
        this.worker = b.worker;
        this.stream = stream;
        this.sinks = List.copyOf(b.sinks);
        this.context = new WorkerContext(b.name, stream, b.arguments, sinks);
        this.pullTimeoutNanos = b.pullTimeout.toNanos();
        this.thread = Thread.ofPlatform().name("virta-worker-" + b.name).unstarted(this::run);
    }

    public static Builder builder(Worker worker, FrameSource source) {
        return new Builder(worker, source);
    }

    private void run() {
        try {
            worker.onStart(context);
        } catch (Throwable t) {
            failure = t;
            startFailed = true;
            started.countDown();
            finish(false);
            return;
        }
        started.countDown();
        try {
            loop();
        } catch (Throwable t) {
            failure = t;
            LOG.log(Level.SEVERE, "worker '" + context.name() + "' failed on camera '" + context.camera() + "'", t);
        }
        finish(true);
    }

    private void loop() throws Exception {
        while (!stopRequested) {
            long timeouts = stream.timeouts();
            long reattaches = stream.reattaches();
            WorkerFrame frame = stream.next(pullTimeoutNanos);
            if (stream.reattaches() != reattaches) {
                worker.onReattach(context);
            }
            if (frame == null) {
                if (stream.timeouts() != timeouts) {
                    worker.onTimeout();
                }
                continue;
            }
            if (frame.lost() > 0) {
                worker.onOverrun(frame.lost());
            }
            worker.onFrame(frame, context);
        }
    }

    private void finish(boolean callStop) {
        try {
            if (callStop) {
                worker.onStop();
            }
        } catch (Throwable t) {
            if (failure == null) {
                failure = t;
            }
            LOG.log(Level.WARNING, "worker '" + context.name() + "': onStop failed", t);
        } finally {
            stream.close();
            for (EventSink sink : sinks) {
                try {
                    sink.close();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "closing an event sink failed", e);
                }
            }
            stopped.countDown();
        }
    }

    /** The worker's context: its name, camera, channel and counters. */
    public WorkerContext context() {
        return context;
    }

    /** The stream's counters; safe from any thread. */
    public StreamCounters counters() {
        return stream.counters();
    }

    /** Why the worker stopped by itself, or null. */
    public Throwable failure() {
        return failure;
    }

    public boolean isRunning() {
        return stopped.getCount() > 0;
    }

    /** Waits until the worker has stopped (by {@link #close()} or a failure). */
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    /** Waits up to {@code timeout} for the worker to stop; true if it did. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops the loop (within one pull timeout, plus the frame being analyzed), calls {@code onStop}, closes
     * the stream and flushes the sinks; returns when all of that is done.
     */
    @Override
    public void close() {
        stopRequested = true;
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Options of a runner; {@link #start()} attaches and starts it. */
    public static final class Builder {
        private final Worker worker;
        private final FrameSource source;
        private String name = "worker";
        private final List<EventSink> sinks = new ArrayList<>();
        private WorkerArguments arguments = WorkerArguments.empty();
        private Duration pullTimeout = Duration.ofSeconds(1);

        private Builder(Worker worker, FrameSource source) {
            if (worker == null || source == null) {
                throw new IllegalArgumentException("a worker and a frame source are required");
            }
            this.worker = worker;
            this.source = source;
        }

        /** The worker's name, the {@code source} of its events (default "worker"). */
        public Builder name(String name) {
            if (name == null || name.isBlank() || name.length() > 128) {
                throw new IllegalArgumentException("name: '" + name + "' must have 1..128 characters");
            }
            this.name = name;
            return this;
        }

        /** Adds a place for events: an EventReporter, an EventPrinter. The runner closes it when it stops. */
        public Builder events(EventSink sink) {
            sinks.add(sink);
            return this;
        }

        public Builder arguments(WorkerArguments arguments) {
            this.arguments = arguments;
            return this;
        }

        /**
         * How long one wait for a frame lasts: {@code onTimeout} follows a wait that brought nothing, and
         * {@link WorkerRunner#close()} takes effect between waits (default 1 s).
         */
        public Builder pullTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("pullTimeout: must be positive, not " + timeout);
            }
            this.pullTimeout = timeout;
            return this;
        }

        /**
         * Attaches to the source on this thread (so attach errors come from here), then starts the worker's
         * thread and waits for its {@code onStart}.
         *
         * @throws io.virta.worker.attach.AttachException if the frames cannot be found
         * @throws WorkerStartException if {@code onStart} failed
         */
        public WorkerRunner start() {
            FrameStream stream;
            try {
                stream = source.open();
            } catch (RuntimeException e) {
                sinks.forEach(EventSink::close);
                throw e;
            }
            WorkerRunner runner = new WorkerRunner(this, stream);
            runner.thread.start();
            try {
                runner.started.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                runner.close();
                throw new WorkerStartException("interrupted while the worker started", e);
            }
            // Only onStart's failure: a frame may already have failed too, which the runner reports as its own.
            if (runner.startFailed) {
                try {
                    runner.stopped.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new WorkerStartException("worker '" + name + "' failed to start: " + runner.failure.getMessage(),
                        runner.failure);
            }
            return runner;
        }
    }
}
