package io.virta.hub.delivery;

import io.virta.hub.journal.JournalReader;
import io.virta.protos.events.v1.Event;

import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One Query: the journal's events in a capture-time range, in journal order, sent as fast as the
 * client's transport accepts them (the journal is the buffer, so a large answer costs no hub memory).
 * It ends at the last event journaled when the query began, or after {@code limit} events.
 */
public final class QueryStream extends SerialDrain {
    private static final Logger LOG = Logger.getLogger(QueryStream.class.getName());

    private final JournalReader reader;
    private final EventSelector selector;
    private final long lastId;
    private final long limit;
    private final Outbound<Event> out;
    private final Consumer<QueryStream> onFinish;
    private long count;
    private volatile boolean cancelled;
    private volatile String failure;
    private boolean finished;

    public QueryStream(JournalReader reader, EventSelector selector, long lastId, long limit, Outbound<Event> out,
            Executor executor, Consumer<QueryStream> onFinish) {
        super(executor);
        this.reader = reader;
        this.selector = selector;
        this.lastId = lastId;
        this.limit = limit;
        this.out = out;
        this.onFinish = onFinish;
        reader.seekJournalTime(selector.captureFrom() - FanOut.MAX_CAPTURE_AHEAD_MICROS);
    }

    public void start() {
        signal();
    }

    public void cancel() {
        cancelled = true;
        signal();
    }

    public void wake() {
        signal();
    }

    public void fail(String reason) {
        failure = reason;
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
            while (out.isReady()) {
                if (count >= limit) {
                    finish();
                    return;
                }
                Event event = reader.next(selector.captureFrom(), selector.captureTo(), lastId, selector);
                if (event != null) {
                    out.send(event);
                    count++;
                } else if (reader.atEnd()) {
                    finish();
                    return;
                } else {
                    yieldThread();
                    return;
                }
            }
        } catch (RuntimeException e) {
            LOG.warning("query: " + e);
            failure = "the hub cannot read its journal: " + e.getMessage();
            finish();
        }
    }

    /** After the delivery threads stopped: release the reader if the drain never ran again. */
    public void finishNow() {
        if (!finished) {
            if (failure == null && !cancelled) {
                failure = "the hub is shutting down";
            }
            finish();
        }
    }

    private void finish() {
        finished = true;
        reader.close();
        if (!cancelled) {
            if (failure != null) {
                out.fail(failure);
            } else {
                out.complete();
            }
        }
        onFinish.accept(this);
    }
}
