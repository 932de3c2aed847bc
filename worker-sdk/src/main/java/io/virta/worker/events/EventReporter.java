package io.virta.worker.events;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.Rejection;
import io.virta.protos.events.v1.ReportRequest;
import io.virta.protos.events.v1.ReportResponse;
import io.virta.grpc.GrpcChannels;
import io.virta.grpc.GrpcTarget;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reports events to the event hub (virta.events.v1.EventHub/Report) from a thread of its own, so that
 * {@link #report} never blocks a worker's frame loop.
 *
 * <pre>{@code
 * try (EventReporter reporter = EventReporter.builder("127.0.0.1:50051").build()) {
 *     reporter.report(WorkerEvent.builder("motion").camera("lobby").captureTimeMicros(t).build());
 * }   // close() sends what is queued, waiting up to the close timeout
 * }</pre>
 *
 * <ul>
 *   <li><b>Bounded queue, drop-oldest.</b> Up to {@code queueCapacity} events (default 4096) wait; when
 *       the queue is full the oldest event goes, counted in {@link ReporterCounters#dropped()}. The newest
 *       events describe what the camera sees now, so they are the ones worth keeping through an outage.</li>
 *   <li><b>Batches.</b> The sender takes up to {@code batchSize} events (default 256, and under 1 MiB)
 *       per Report call.</li>
 *   <li><b>Hub restarts.</b> A call that fails because the hub is down or slow (UNAVAILABLE,
 *       DEADLINE_EXCEEDED, ...) puts its events back at the head of the queue and is retried with a
 *       backoff of 100 ms doubling to 2 s; the gRPC channel reconnects by itself, so the events held meanwhile
 *       (within the bound) go out once the hub is back. Delivery is at least once: a call whose answer
 *       was lost is sent again.</li>
 *   <li><b>Rejections</b> of single events are counted and logged with the hub's reason, at most one
 *       message per 10 s.</li>
 * </ul>
 */
public final class EventReporter implements EventSink {
    private static final Logger LOG = Logger.getLogger(EventReporter.class.getName());
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** The hub refuses requests over 1 MiB; batches stay below with room for framing. */
    private static final int MAX_BATCH_BYTES = 900 * 1024;

    private final GrpcTarget hub;
    private final int capacity;
    private final int batchSize;
    private final Duration callTimeout;
    private final Duration closeTimeout;
    private final ManagedChannel channel;
    private final EventHubGrpc.EventHubBlockingStub stub;
    private final Thread sender;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Only close() signals it, so that new events do not cut a retry backoff short. */
    private final Condition abandoned = lock.newCondition();
    private final ArrayDeque<Event> queue;
    private int inFlight;
    private boolean closing;
    private boolean abandon;

    private volatile long sent;
    private volatile long rejected;
    private volatile long dropped;
    private volatile long failed;
    private volatile long failedCalls;

    private final RateLimitedLog rejectionLog = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private final RateLimitedLog failureLog = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private boolean hubDown;
    private int batchLimit;

    private EventReporter(Builder b) {
        this.hub = b.hub;
        this.capacity = b.capacity;
        this.batchSize = b.batchSize;
        this.batchLimit = b.batchSize;
        this.callTimeout = b.callTimeout;
        this.closeTimeout = b.closeTimeout;
        this.queue = new ArrayDeque<>(capacity + batchSize);
        // Blocking calls from one thread: no executor threads needed for callbacks.
        this.channel = GrpcChannels.open(hub, c -> c.directExecutor());
        this.stub = EventHubGrpc.newBlockingStub(channel);
        this.sender = Thread.ofPlatform().daemon().name("virta-event-reporter").unstarted(this::sendLoop);
        sender.start();
    }

    /** A reporter to the hub at {@code HOST:PORT} (the producer's control address, by default 127.0.0.1:50051). */
    public static Builder builder(String hostPort) {
        return new Builder(GrpcTarget.parse(hostPort, "hub"));
    }

    /** A reporter to the hub at {@code hub} (TCP or {@code unix:}, with its {@link GrpcTarget#security()}). */
    public static Builder builder(GrpcTarget hub) {
        return new Builder(hub);
    }

    public GrpcTarget hub() {
        return hub;
    }

    /**
     * Queues {@code event} for the hub and returns at once. When the queue is full, the oldest queued
     * event is dropped to make room. After {@link #close()}, the event is dropped.
     */
    @Override
    public void report(Event event) {
        lock.lock();
        try {
            if (closing) {
                dropped++;
                return;
            }
            if (queue.size() >= capacity) {
                queue.pollFirst();
                dropped++;
            }
            queue.addLast(event);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every queued event has been sent (or given up on); false if {@code timeout} passed first. */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!queue.isEmpty() || inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || abandon) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    public long sent() {
        return sent;
    }

    public long rejected() {
        return rejected;
    }

    public long dropped() {
        return dropped;
    }

    public long failed() {
        return failed;
    }

    /** Events waiting in the queue or in flight. */
    public int pending() {
        lock.lock();
        try {
            return queue.size() + inFlight;
        } finally {
            lock.unlock();
        }
    }

    public ReporterCounters counters() {
        return new ReporterCounters(sent, rejected, dropped, failed, failedCalls, pending());
    }

    // ---------------------------------------------------------------- the sender thread

    private void sendLoop() {
        List<Event> batch = new ArrayList<>(batchSize);
        long backoff = MIN_BACKOFF_NANOS;
        while (true) {
            lock.lock();
            try {
                while (queue.isEmpty() && !closing) {
                    changed.await();
                }
                if (abandon || queue.isEmpty()) {
                    return;
                }
                takeBatch(batch);
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            boolean retry = send(batch);
            lock.lock();
            try {
                inFlight = 0;
                if (retry) {
                    putBack(batch);
                }
                changed.signalAll();
                batch.clear();
                long wakeAt = System.nanoTime() + backoff;
                while (retry && !abandon && wakeAt - System.nanoTime() > 0) {
                    abandoned.awaitNanos(wakeAt - System.nanoTime());
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            backoff = retry ? Math.min(backoff * 2, MAX_BACKOFF_NANOS) : MIN_BACKOFF_NANOS;
        }
    }

    /** Moves up to a batch's worth of events from the queue's head into {@code batch}. Lock held. */
    private void takeBatch(List<Event> batch) {
        int bytes = 0;
        while (!queue.isEmpty() && batch.size() < batchLimit) {
            int size = queue.peekFirst().getSerializedSize() + 8;
            if (!batch.isEmpty() && bytes + size > MAX_BATCH_BYTES) {
                break;
            }
            bytes += size;
            batch.add(queue.pollFirst());
        }
        inFlight = batch.size();
    }

    /** Returns a failed batch to the queue's head; if the queue filled meanwhile, its oldest events go. Lock held. */
    private void putBack(List<Event> batch) {
        for (int i = batch.size() - 1; i >= 0; i--) {
            if (queue.size() >= capacity) {
                dropped += i + 1;
                return;
            }
            queue.addFirst(batch.get(i));
        }
    }

    /** One Report call; returns true when the batch should be sent again. */
    private boolean send(List<Event> batch) {
        ReportResponse response;
        try {
            response = stub.withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .report(ReportRequest.newBuilder().addAllEvents(batch).build());
        } catch (StatusRuntimeException e) {
            return failedCall(batch, e.getStatus());
        }
        if (hubDown) {
            hubDown = false;
            LOG.info(() -> "event hub at " + hub + " is reachable again");
        }
        batchLimit = Math.min(batchSize, batchLimit * 2);
        sent += response.getAccepted();
        if (response.getRejectionsCount() > 0) {
            rejected += response.getRejectionsCount();
            Rejection first = response.getRejections(0);
            Event event = first.getIndex() < batch.size() ? batch.get(first.getIndex()) : null;
            int count = response.getRejectionsCount();
            rejectionLog.log(Level.WARNING, () -> "event hub at " + hub + " refused " + count + " event(s); "
                    + (event == null ? "" : "a '" + event.getType() + "' event of camera '" + event.getCamera()
                    + "': ") + first.getReason());
        }
        return false;
    }

    private boolean failedCall(List<Event> batch, Status status) {
        String what = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
        switch (status.getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, CANCELLED, UNKNOWN, INTERNAL -> {
                failedCalls++;
                if (!hubDown) {
                    hubDown = true;
                    LOG.warning(() -> "event hub at " + hub + " does not answer (" + what + "); holding up to "
                            + capacity + " events and retrying");
                }
                // The channel waits out its own reconnect backoff otherwise (up to minutes).
                channel.resetConnectBackoff();
                return true;
            }
            case RESOURCE_EXHAUSTED -> {
                if (batch.size() > 1) {
                    batchLimit = Math.max(1, batch.size() / 2);
                    return true;
                }
                failed += batch.size();
                failureLog.log(Level.WARNING, () -> "event hub at " + hub + " refused an event as too large ("
                        + what + ")");
                return false;
            }
            default -> {
                failed += batch.size();
                failureLog.log(Level.WARNING, () -> "event hub at " + hub + " refused a Report of " + batch.size()
                        + " event(s): " + what + (status.getCode() == Status.Code.UNIMPLEMENTED
                        ? " (is " + hub + " a Virta event hub? point --hub at the producer or 'virta hub')" : ""));
                return false;
            }
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * Sends what is queued, waiting up to the close timeout (default 5 s), then stops. Events still
     * unsent then are counted as dropped.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        flush(closeTimeout);
        lock.lock();
        try {
            abandon = true;
            changed.signalAll();
            abandoned.signalAll();
        } finally {
            lock.unlock();
        }
        channel.shutdownNow();
        try {
            sender.join(TimeUnit.SECONDS.toMillis(2));
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            dropped += queue.size();
            queue.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Options of a reporter; {@link #build()} connects lazily and starts the sender thread. */
    public static final class Builder {
        private final GrpcTarget hub;
        private int capacity = 4096;
        private int batchSize = 256;
        private Duration callTimeout = Duration.ofSeconds(5);
        private Duration closeTimeout = Duration.ofSeconds(5);

        private Builder(GrpcTarget hub) {
            this.hub = hub;
        }

        /** Events held at most while the hub is slow or down (default 4096); the oldest go first. */
        public Builder queueCapacity(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("queueCapacity: " + events + " is not a positive number");
            }
            this.capacity = events;
            return this;
        }

        /** Events per Report call at most: 1..1000 (the hub's limit), default 256. */
        public Builder batchSize(int events) {
            if (events < 1 || events > 1000) {
                throw new IllegalArgumentException("batchSize: " + events + " is outside 1..1000");
            }
            this.batchSize = events;
            return this;
        }

        /** How long one Report call may take before it is abandoned and retried (default 5 s). */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = timeout;
            return this;
        }

        /** How long {@link #close()} waits for the queue to empty (default 5 s). */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        public EventReporter build() {
            return new EventReporter(this);
        }
    }
}
