package io.virta.hub;

import io.virta.hub.delivery.EventSelector;
import io.virta.hub.delivery.FanOut;
import io.virta.hub.delivery.Outbound;
import io.virta.hub.delivery.QueryStream;
import io.virta.hub.delivery.Subscription;
import io.virta.hub.journal.EventJournal;
import io.virta.hub.journal.JournalException;
import io.virta.hub.validate.CameraDirectory;
import io.virta.hub.validate.EventValidator;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.Rejection;
import io.virta.protos.events.v1.ReportResponse;
import io.virta.protos.events.v1.SubscribeResponse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The event hub without its transport: validates reported events, journals the valid ones, hands each
 * to the live subscriptions that want it, and answers queries from the journal. {@link EventHubService}
 * puts it on gRPC.
 *
 * <p>Intake: a Report's events are validated, then appended and published under one lock, so journal
 * order is delivery order. Publishing only queues (bounded, per subscriber); sending happens on the
 * hub's delivery threads, as fast as each subscriber's transport accepts.
 */
public final class EventHub implements AutoCloseable {
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(168);
    /** Events a subscriber may fall behind by before the newest are dropped for it (and counted). */
    public static final int DEFAULT_SUBSCRIBER_QUEUE = 4096;
    public static final int MAX_SUBSCRIPTIONS = 1024;
    private static final Duration RETENTION_SWEEP = Duration.ofMinutes(10);
    private static final Logger LOG = Logger.getLogger(EventHub.class.getName());

    /**
     * @param journal         the journal's directory
     * @param retention       how long events are kept (whole hour files are deleted after it)
     * @param cameras         the cameras events may name
     * @param clockMicros     wall clock in microseconds since the epoch (journal time, capture-time check)
     * @param subscriberQueue events per subscriber queue (a power of two)
     * @param deliveryThreads threads that send to subscribers and answer queries
     * @param journalGroup    the group that shares the journal's files; null: the owner only
     */
    public record Options(Path journal, Duration retention, CameraDirectory cameras, LongSupplier clockMicros,
            int subscriberQueue, int deliveryThreads, String journalGroup) {
        public static Options of(Path journal, CameraDirectory cameras) {
            return new Options(journal, DEFAULT_RETENTION, cameras, io.virta.bus.Clock::epochMicros,
                    DEFAULT_SUBSCRIBER_QUEUE, 2, null);
        }

        public Options retention(Duration value) {
            return new Options(journal, value, cameras, clockMicros, subscriberQueue, deliveryThreads, journalGroup);
        }

        public Options clock(LongSupplier value) {
            return new Options(journal, retention, cameras, value, subscriberQueue, deliveryThreads, journalGroup);
        }

        public Options subscriberQueue(int value) {
            return new Options(journal, retention, cameras, clockMicros, value, deliveryThreads, journalGroup);
        }

        /** The group that shares the journal's files (0770/0660); null (the default): the owner only (0700/0600). */
        public Options journalGroup(String value) {
            return new Options(journal, retention, cameras, clockMicros, subscriberQueue, deliveryThreads, value);
        }
    }

    private final Options options;
    private final EventJournal journal;
    private final EventValidator validator;
    private final ReentrantLock intake = new ReentrantLock();
    private final ExecutorService delivery;
    private final ScheduledExecutorService housekeeping;
    private final FanOut fanOut;
    private final Set<QueryStream> queries = ConcurrentHashMap.newKeySet();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private volatile boolean closed;

    private EventHub(Options options, EventJournal journal) {
        this.options = options;
        this.journal = journal;
        this.validator = new EventValidator(options.cameras(), options.clockMicros());
        AtomicInteger threadNumber = new AtomicInteger();
        this.delivery = Executors.newFixedThreadPool(options.deliveryThreads(), r -> Thread.ofPlatform()
                .name("virta-hub-delivery-" + threadNumber.incrementAndGet()).daemon().unstarted(r));
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
                .name("virta-hub-retention").daemon().unstarted(r));
        this.fanOut = new FanOut(journal, intake, delivery, options.subscriberQueue(), MAX_SUBSCRIPTIONS);
    }

    /**
     * Opens the journal (creating it if needed), deletes what is past retention, and starts serving.
     *
     * @throws JournalException naming the journal directory and the problem
     */
    public static EventHub open(Options options) {
        EventJournal journal = EventJournal.open(options.journal(), options.clockMicros(), options.journalGroup());
        EventHub hub = new EventHub(options, journal);
        hub.sweep();
        long period = RETENTION_SWEEP.toMillis();
        hub.housekeeping.scheduleWithFixedDelay(hub::sweep, period, period, TimeUnit.MILLISECONDS);
        return hub;
    }

    /** Deletes the journal's hour files past retention. */
    public void sweep() {
        try {
            journal.deleteOlderThan(options.retention());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "event journal retention: " + e.getMessage(), e);
        }
    }

    /**
     * Journals the valid events of a report (1..1000 of them: the service checks) and publishes them.
     *
     * @throws HubUnavailableException when the hub is closed or the journal cannot be written
     */
    public ReportResponse report(List<Event> events) {
        ensureOpen();
        int count = events.size();
        long now = options.clockMicros().getAsLong();
        String[] reasons = null;
        for (int i = 0; i < count; i++) {
            String reason = validator.check(events.get(i), i, now);
            if (reason != null) {
                if (reasons == null) {
                    reasons = new String[count];
                }
                reasons[i] = reason;
            }
        }
        ReportResponse.Builder response = ReportResponse.newBuilder();
        int journaled = 0;
        intake.lock();
        try {
            ensureOpen();
            for (int i = 0; i < count; i++) {
                if (reasons != null && reasons[i] != null) {
                    continue;
                }
                Event event = events.get(i);
                long id = journal.append(event);
                response.addIds(id);
                journaled++;
                fanOut.publish(event, id, journal.lastJournalMicros());
            }
        } catch (JournalException e) {
            throw new HubUnavailableException("the event journal cannot be written: " + e.getMessage(), e);
        } finally {
            fanOut.flush();
            intake.unlock();
            accepted.add(journaled);
        }
        if (reasons != null) {
            for (int i = 0; i < count; i++) {
                if (reasons[i] != null) {
                    response.addRejections(Rejection.newBuilder().setIndex(i).setReason(reasons[i]));
                }
            }
            rejected.add(count - journaled);
        }
        return response.setAccepted(journaled).build();
    }

    /**
     * Live events that {@code selector} matches, sent to {@code out}; with {@code sinceMicros} > 0 the
     * journal's matching events from that capture time come first. Call {@link Subscription#wake()}
     * when the transport is ready again and {@link Subscription#cancel()} when the subscriber leaves.
     *
     * @throws HubUnavailableException when the hub is closed
     * @throws IllegalStateException   when the hub serves its maximum of subscriptions
     */
    public Subscription subscribe(EventSelector selector, long sinceMicros, Outbound<SubscribeResponse> out) {
        ensureOpen();
        return fanOut.subscribe(selector, sinceMicros, out);
    }

    /**
     * The journal's events that {@code selector} matches, up to {@code limit}, in journal order. Call
     * {@link QueryStream#start()} once the transport's handlers are set.
     */
    public QueryStream query(EventSelector selector, long limit, Outbound<Event> out) {
        ensureOpen();
        QueryStream stream;
        try {
            stream = new QueryStream(journal.reader(), selector, journal.lastId(), limit, out, delivery, queries::remove);
        } catch (JournalException e) {
            throw new HubUnavailableException("the event journal cannot be read: " + e.getMessage(), e);
        }
        queries.add(stream);
        return stream;
    }

    private void ensureOpen() {
        if (closed) {
            throw new HubUnavailableException("the event hub is shutting down");
        }
    }

    public EventJournal journal() {
        return journal;
    }

    /** Events journaled since the hub opened. */
    public long accepted() {
        return accepted.sum();
    }

    /** Events refused by validation since the hub opened. */
    public long rejected() {
        return rejected.sum();
    }

    /** Subscriptions open, live or still replaying the journal. */
    public int subscriptions() {
        return fanOut.subscriptions();
    }

    /** Subscriptions that receive live events (those that replay join once caught up). */
    public int liveSubscriptions() {
        return fanOut.liveSubscriptions();
    }

    /** Ends every stream ("the hub is shutting down"), stops the delivery threads, closes the journal. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        intake.lock();
        try {
            closed = true;
        } finally {
            intake.unlock();
        }
        housekeeping.shutdownNow();
        String reason = "the event hub is shutting down";
        fanOut.failAll(reason);
        for (QueryStream query : queries) {
            query.fail(reason);
        }
        delivery.shutdown();
        try {
            if (!delivery.awaitTermination(2, TimeUnit.SECONDS)) {
                delivery.shutdownNow();
                delivery.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fanOut.finishAll();
        for (QueryStream query : queries) {
            query.finishNow();
        }
        journal.close();
    }

    /** The hub cannot serve now: it is closed, or its journal fails. gRPC: UNAVAILABLE. */
    public static final class HubUnavailableException extends RuntimeException {
        public HubUnavailableException(String message) {
            super(message);
        }

        public HubUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
