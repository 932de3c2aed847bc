package io.virta.producer.recording;

import io.virta.hub.EventHub;
import io.virta.hub.delivery.EventSelector;
import io.virta.hub.delivery.Outbound;
import io.virta.hub.delivery.Subscription;
import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.SubscribeResponse;
import io.virta.recorder.retention.EventMark;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Event-extended retention fed by the producer's event hub (docs/recording.md, "Retention"): every
 * event of a recorded camera whose type, or a box label, matches an event rule of the camera's store
 * marks that stretch of video to be kept longer.
 *
 * <p><b>Threads and cost.</b> The hub delivers on its own thread; {@link #send} only matches labels and
 * puts the event's time in a bounded queue (4096; when full the oldest is dropped and counted), so a
 * burst of events never waits on a disk. One thread of this class turns the queue into marks: events of
 * one camera and label less than {@value #JOIN_SECONDS} s apart join one mark, written (and forced, by
 * the store's mark log) once it has been quiet that long, so a detector reporting four times a second
 * costs one forced write per episode, not one per event.
 *
 * <pre>{@code
 * EventRetention marks = EventRetention.start(hub, recording::marksFor);
 * ...
 * marks.close();   // writes the episodes still open
 * }</pre>
 */
public final class EventRetention implements Outbound<SubscribeResponse>, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventRetention.class.getName());
    static final int JOIN_SECONDS = 10;
    private static final int QUEUE = 4096;

    /** Where a camera's marks go, and the labels its store keeps video for; empty when it is not recorded. */
    public interface Target {
        Set<String> labels();

        void mark(EventMark mark) throws IOException;
    }

    private record Sighting(String camera, String label, long micros) {
    }

    /** An episode being gathered. */
    private static final class Episode {
        final Target target;
        final String camera;
        final String label;
        final long startMicros;
        long endMicros;
        /** When its last event arrived ({@link System#nanoTime()}): quiet is judged on arrival, not capture time. */
        long lastArrivalNanos;

        Episode(Target target, String camera, String label, long micros) {
            this.target = target;
            this.camera = camera;
            this.label = label;
            this.startMicros = micros;
            this.endMicros = micros;
            this.lastArrivalNanos = System.nanoTime();
        }
    }

    private final Function<String, java.util.Optional<Target>> targets;
    private final ArrayDeque<Sighting> queue = new ArrayDeque<>();
    private final AtomicLong dropped = new AtomicLong();
    private final Map<String, Episode> open = new HashMap<>();
    private final Thread thread;
    private final Subscription subscription;
    private volatile boolean running = true;
    private final long joinMicros;

    private EventRetention(EventHub hub, Function<String, java.util.Optional<Target>> targets, long joinMicros) {
        this.targets = targets;
        this.joinMicros = joinMicros;
        this.thread = Thread.ofPlatform().name("event-retention").daemon(true).unstarted(this::run);
        this.subscription = hub.subscribe(new EventSelector(Set.of(), Set.of(), 0, Long.MAX_VALUE), 0, this);
    }

    /** Subscribes to {@code hub}; {@code targets} finds a camera's store (empty: not recorded). */
    public static EventRetention start(EventHub hub, Function<String, java.util.Optional<Target>> targets) {
        return start(hub, targets, java.time.Duration.ofSeconds(JOIN_SECONDS));
    }

    /** As {@link #start(EventHub, Function)}, joining events less than {@code join} apart (tests shorten it). */
    static EventRetention start(EventHub hub, Function<String, java.util.Optional<Target>> targets,
                                java.time.Duration join) {
        EventRetention retention = new EventRetention(hub, targets, join.toNanos() / 1000);
        retention.thread.start();
        retention.subscription.start();
        return retention;
    }

    @Override
    public boolean isReady() {
        return true; // the queue drops its oldest instead of pushing back on the hub
    }

    @Override
    public void send(SubscribeResponse message) {
        if (!message.hasEvent()) {
            return;
        }
        Event event = message.getEvent();
        java.util.Optional<Target> target = targets.apply(event.getCamera());
        if (target.isEmpty()) {
            return;
        }
        Set<String> labels = target.get().labels();
        if (labels.isEmpty()) {
            return;
        }
        offer(labels, event.getCamera(), event.getType(), event.getCaptureTimeMicros());
        for (BoundingBox box : event.getBoxesList()) {
            if (!box.getLabel().equals(event.getType())) {
                offer(labels, event.getCamera(), box.getLabel(), event.getCaptureTimeMicros());
            }
        }
    }

    private void offer(Set<String> labels, String camera, String label, long micros) {
        if (!labels.contains(label)) {
            return;
        }
        synchronized (queue) {
            if (queue.size() == QUEUE) {
                queue.pollFirst();
                dropped.incrementAndGet();
            }
            queue.addLast(new Sighting(camera, label, micros));
            queue.notifyAll();
        }
    }

    @Override
    public void complete() {
    }

    @Override
    public void fail(String reason) {
        LOG.warning(() -> "event-extended retention stops receiving events: " + reason);
    }

    /** Events dropped because marks could not be written as fast as they came. */
    public long dropped() {
        return dropped.get();
    }

    private void run() {
        while (true) {
            Sighting next;
            synchronized (queue) {
                if (queue.isEmpty() && running) {
                    try {
                        queue.wait(TimeUnit.SECONDS.toMillis(1));
                    } catch (InterruptedException e) {
                        running = false;
                    }
                }
                next = queue.pollFirst();
            }
            if (next != null) {
                gather(next);
            } else if (!running) {
                flushQuiet(true); // closing: the queue is empty; write every episode still open
                return;
            }
            flushQuiet(false);
        }
    }

    private void gather(Sighting sighting) {
        String key = sighting.camera() + "\n" + sighting.label();
        Episode episode = open.get(key);
        if (episode != null && sighting.micros() - episode.endMicros <= joinMicros
                && sighting.micros() >= episode.startMicros) {
            episode.endMicros = Math.max(episode.endMicros, sighting.micros());
            episode.lastArrivalNanos = System.nanoTime();
            return;
        }
        if (episode != null) {
            write(episode);
        }
        targets.apply(sighting.camera()).ifPresent(target -> open.put(key,
                new Episode(target, sighting.camera(), sighting.label(), sighting.micros())));
    }

    /** Writes the episodes that have had no event for {@value #JOIN_SECONDS} s ({@code all}: every one, at close). */
    private void flushQuiet(boolean all) {
        long now = System.nanoTime();
        for (Iterator<Episode> it = open.values().iterator(); it.hasNext(); ) {
            Episode episode = it.next();
            if (all || now - episode.lastArrivalNanos > joinMicros * 1000) {
                write(episode);
                it.remove();
            }
        }
    }

    private void write(Episode episode) {
        try {
            episode.target.mark(new EventMark(episode.camera, episode.label, instant(episode.startMicros),
                    instant(episode.endMicros)));
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "camera " + episode.camera + ": cannot keep the video of its '" + episode.label
                    + "' events longer: " + e.getMessage());
        }
    }

    private static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }

    /** Stops receiving, writes the episodes still open, and stops the thread. */
    @Override
    public void close() {
        subscription.cancel();
        running = false;
        synchronized (queue) {
            queue.notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
