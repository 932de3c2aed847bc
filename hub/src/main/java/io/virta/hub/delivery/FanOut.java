package io.virta.hub.delivery;

import io.virta.hub.journal.EventJournal;
import io.virta.hub.validate.EventValidator;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.SubscribeResponse;

import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live side of the hub: the subscriptions, and the hand-off of each journaled event to those that
 * want it. {@link #publish} runs under the hub's intake lock, right after the journal append, so every
 * subscription sees events in journal order and a subscription that joins under the same lock knows
 * exactly which events it must read from the journal instead.
 */
public final class FanOut {
    /** Capture times may lead journal time by this much: a replay from capture time T seeks to journal time T minus it. */
    public static final long MAX_CAPTURE_AHEAD_MICROS = EventValidator.MAX_AHEAD_MICROS;

    private final EventJournal journal;
    private final ReentrantLock intake;
    private final Executor executor;
    private final int queueCapacity;
    private final int maxSubscriptions;
    /** Copy-on-write: read without locking on every publish, changed rarely. */
    private volatile Subscription[] live = new Subscription[0];
    /** Every subscription not yet finished, live or still replaying; guarded by {@link #intake}. */
    private Subscription[] all = new Subscription[0];

    public FanOut(EventJournal journal, ReentrantLock intake, Executor executor, int queueCapacity, int maxSubscriptions) {
        this.journal = journal;
        this.intake = intake;
        this.executor = executor;
        this.queueCapacity = queueCapacity;
        this.maxSubscriptions = maxSubscriptions;
    }

    /**
     * A new subscription, counted but not started: {@link Subscription#start()} makes it live at once,
     * or first replays the journal from capture time {@code sinceMicros} when that is positive.
     *
     * @throws IllegalStateException when the hub already serves its maximum of subscriptions
     */
    public Subscription subscribe(EventSelector selector, long sinceMicros, Outbound<SubscribeResponse> out) {
        Subscription subscription = new Subscription(selector, sinceMicros, out, this, journal, queueCapacity,
                executor);
        intake.lock();
        try {
            if (all.length >= maxSubscriptions) {
                throw new IllegalStateException("the hub already serves " + all.length
                        + " subscriptions, its maximum; close some");
            }
            all = append(all, subscription);
        } finally {
            intake.unlock();
        }
        return subscription;
    }

    /** The subscription receives every event journaled from now on. */
    void join(Subscription subscription) {
        intake.lock();
        try {
            subscription.joined(journal.lastId());
            live = append(live, subscription);
        } finally {
            intake.unlock();
        }
    }

    void leave(Subscription subscription) {
        intake.lock();
        try {
            live = remove(live, subscription);
            all = remove(all, subscription);
        } finally {
            intake.unlock();
        }
    }

    /**
     * Under the intake lock: hands the event just journaled as {@code id} to every live subscription
     * that wants it. The stamped event is built once, only if someone wants it, and shared by all.
     */
    public void publish(Event reported, long id, long journalMicros) {
        Subscription[] subscriptions = live;
        SubscribeResponse response = null;
        for (Subscription subscription : subscriptions) {
            if (subscription.wants(reported)) {
                if (response == null) {
                    response = SubscribeResponse.newBuilder()
                            .setEvent(EventJournal.stamped(reported, id, journalMicros)).build();
                }
                subscription.offer(response);
            }
        }
    }

    /** Under the intake lock, after a batch: starts delivery to the subscriptions that got events. */
    public void flush() {
        for (Subscription subscription : live) {
            subscription.wakeIfOffered();
        }
    }

    public int liveSubscriptions() {
        return live.length;
    }

    public int subscriptions() {
        intake.lock();
        try {
            return all.length;
        } finally {
            intake.unlock();
        }
    }

    /** Ends every subscription with {@code reason} (the hub shuts down). */
    public void failAll(String reason) {
        Subscription[] snapshot;
        intake.lock();
        try {
            snapshot = all;
        } finally {
            intake.unlock();
        }
        for (Subscription subscription : snapshot) {
            subscription.fail(reason);
        }
    }

    /** After the delivery threads stopped: finishes what is left, so every journal reader is closed. */
    public void finishAll() {
        Subscription[] snapshot;
        intake.lock();
        try {
            snapshot = all;
        } finally {
            intake.unlock();
        }
        for (Subscription subscription : snapshot) {
            subscription.finishNow();
        }
    }

    private static Subscription[] append(Subscription[] array, Subscription s) {
        Subscription[] bigger = Arrays.copyOf(array, array.length + 1);
        bigger[array.length] = s;
        return bigger;
    }

    private static Subscription[] remove(Subscription[] array, Subscription s) {
        for (int i = 0; i < array.length; i++) {
            if (array[i] == s) {
                Subscription[] smaller = new Subscription[array.length - 1];
                System.arraycopy(array, 0, smaller, 0, i);
                System.arraycopy(array, i + 1, smaller, i, array.length - i - 1);
                return smaller;
            }
        }
        return array;
    }
}
