package io.virta.hub.delivery;

import io.virta.hub.journal.EventJournal;
import io.virta.hub.journal.JournalReader;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.Missed;
import io.virta.protos.events.v1.SubscribeResponse;

import java.util.concurrent.Executor;
import java.util.logging.Logger;

/**
 * One subscriber. Live events arrive through a bounded {@link DropNewestQueue} (the hub's intake never
 * waits for it) and leave as fast as the subscriber's transport accepts them; when the queue is full the
 * newest events are dropped and the subscriber gets {@code Missed{count}} where they were dropped:
 * before the next event it does receive, or as soon as it has received everything before the gap.
 *
 * <p>With a replay start time the subscription first reads the journal (at the subscriber's pace, so
 * the journal is its buffer), joins the live fan-out once it has caught up, reads the journal on up to
 * the last event journaled before it joined, and then takes the live events: those all have larger ids.
 * Ids are compared once more at the seam, so no event is sent twice.
 */
public final class Subscription extends SerialDrain {
    private static final Logger LOG = Logger.getLogger(Subscription.class.getName());

    private final EventSelector selector;
    private final Outbound<SubscribeResponse> out;
    private final FanOut fanOut;
    private final EventJournal journal;
    private final long sinceMicros;
    private final DropNewestQueue<SubscribeResponse> queue;
    private JournalReader replay;
    /** The last id read from the journal before live delivery; Long.MAX_VALUE until the subscription joins. */
    private long replayUpTo = Long.MAX_VALUE;
    private volatile boolean live;
    private long lastSentId = -1;
    private volatile boolean cancelled;
    private volatile String failure;
    private boolean finished;
    private volatile long sent;
    /** Guarded by the intake lock: events were queued since the last wake. */
    private boolean awaitsWake;

    Subscription(EventSelector selector, long sinceMicros, Outbound<SubscribeResponse> out, FanOut fanOut,
            EventJournal journal, int queueCapacity, Executor executor) {
        super(executor);
        this.selector = selector;
        this.sinceMicros = sinceMicros;
        this.out = out;
        this.fanOut = fanOut;
        this.journal = journal;
        this.queue = new DropNewestQueue<>(queueCapacity);
    }

    /**
     * Starts delivery: live at once, or after replaying the journal from capture time {@code sinceMicros}
     * (seeking to journal time {@code sinceMicros} minus the 60 s a capture time may lead it).
     */
    public void start() {
        if (sinceMicros > 0) {
            replay = journal.reader().seekJournalTime(sinceMicros - FanOut.MAX_CAPTURE_AHEAD_MICROS);
            signal();
        } else {
            fanOut.join(this);
        }
    }

    /** Called by the fan-out under the intake lock when the subscription joins; {@code lastId}: the journal's. */
    void joined(long lastId) {
        replayUpTo = lastId;
        live = true;
    }

    boolean wants(Event event) {
        return selector.test(event);
    }

    /** Intake (under its lock): queue a live event; dropped and counted if the subscriber is too far behind. */
    void offer(SubscribeResponse response) {
        queue.offer(response);
        awaitsWake = true;
    }

    /** Intake (under its lock), after a batch: start delivery if this batch queued anything. */
    void wakeIfOffered() {
        if (awaitsWake) {
            awaitsWake = false;
            signal();
        }
    }

    /** The subscriber went away (gRPC cancel handler). */
    public void cancel() {
        cancelled = true;
        signal();
    }

    /** The hub shuts down: end the stream with {@code reason}. */
    void fail(String reason) {
        failure = reason;
        signal();
    }

    /** The transport can take more (gRPC onReady handler), or events are waiting. */
    public void wake() {
        signal();
    }

    @Override
    void drain() {
        if (finished) {
            return;
        }
        if (cancelled || failure != null) {
            finish();
            return;
        }
        try {
            if (replay != null) {
                replay();
            }
            if (replay == null && live) {
                deliverLive();
            }
        } catch (RuntimeException e) {
            LOG.warning("subscription: " + e);
            failure = "the hub cannot read its journal: " + e.getMessage();
            finish();
        }
    }

    private void replay() {
        while (out.isReady()) {
            Event event = replay.next(selector.captureFrom(), selector.captureTo(), replayUpTo, selector);
            if (event != null) {
                send(event);
                continue;
            }
            if (!replay.atEnd()) {
                yieldThread();
                return;
            }
            if (!live) {
                // Caught up: join the live fan-out, then read on to the last event journaled before joining.
                fanOut.join(this);
                continue;
            }
            replay.close();
            replay = null;
            return;
        }
    }

    private void deliverLive() {
        while (out.isReady()) {
            SubscribeResponse response = queue.poll();
            if (response == null) {
                sendMissed(queue.missedAtTail());
                return;
            }
            sendMissed(queue.missedBefore());
            long id = response.getEvent().getId();
            if (id > lastSentId) {
                lastSentId = id;
                out.send(response);
                sent++;
            }
        }
    }

    private void sendMissed(long count) {
        if (count > 0) {
            out.send(SubscribeResponse.newBuilder().setMissed(Missed.newBuilder().setCount(count)).build());
        }
    }

    private void send(Event event) {
        if (event.getId() > lastSentId) {
            lastSentId = event.getId();
            out.send(SubscribeResponse.newBuilder().setEvent(event).build());
            sent++;
        }
    }

    private void finish() {
        finished = true;
        fanOut.leave(this);
        if (replay != null) {
            replay.close();
            replay = null;
        }
        if (failure != null && !cancelled) {
            out.fail(failure);
        }
    }

    /** After the delivery threads stopped: release what a drain that never ran again still holds. */
    void finishNow() {
        if (!finished) {
            if (failure == null) {
                failure = "the hub is shutting down";
            }
            finish();
        }
    }

    /** Events dropped because this subscriber fell behind. */
    public long dropped() {
        return queue.droppedTotal();
    }

    /** Events sent so far. */
    public long sent() {
        return sent;
    }
}
