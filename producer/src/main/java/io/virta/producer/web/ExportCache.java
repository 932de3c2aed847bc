package io.virta.producer.web;

import io.virta.recorder.export.ExportException;
import io.virta.recorder.export.ExportFile;
import io.virta.recorder.export.ExportFormat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Logger;

/**
 * The exports the web view planned lately, kept for the Range requests that follow ({@code /export/...}):
 * planning reads every record of the range (about 1 ms per MB), and a browser seeking in a
 * {@code <video>} sends a request per seek, so each URL is planned once and its {@link ExportFile} served
 * from here. Two requests for the same URL at once share one planning.
 *
 * <p><b>Bounds.</b> At most {@value #MAX_FILES} files (least recently used go first), each dropped after
 * {@link #IDLE} without a request. A file whose range reaches into a segment still being written is
 * planned again by a request that comes {@link #LIVE_IDLE} or more after the last one, so that it sees
 * the video recorded since, unless the request's {@code If-Range} names the kept file's ETag: a player
 * seeking in it keeps seeing the same bytes. A dropped file is
 * closed once the downloads reading it end. Each kept file holds one descriptor per segment of its range.
 *
 * <p><b>Threads:</b> any; planning runs on the calling thread (the web view's virtual threads), outside
 * the lock. {@link #sweep} is called every few seconds to close idle files.
 *
 * <pre>{@code
 * try (ExportCache.Lease lease = cache.acquire(key, ifRange, () -> plan(...))) {
 *     lease.file().transferTo(start, length, sink);
 * }
 * }</pre>
 */
final class ExportCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExportCache.class.getName());
    static final int MAX_FILES = 8;
    static final Duration IDLE = Duration.ofSeconds(60);
    static final Duration LIVE_IDLE = Duration.ofSeconds(5);

    /** One URL: which store, camera, range and container. */
    record Key(Path store, String camera, long fromMicros, long toMicros, ExportFormat format) {
    }

    /** A planned export, and whether its range reaches into a segment still being written. */
    record Planned(ExportFile file, boolean live) {
    }

    /** Plans one export on the calling thread. */
    @FunctionalInterface
    interface Planner {
        Planned plan() throws IOException, ExportException;
    }

    /** One kept (or being planned) export; guarded by the cache's lock. */
    private static final class Slot {
        final CompletableFuture<Planned> planned = new CompletableFuture<>();
        int users;
        long lastUsedNanos;
        boolean dropped;
    }

    /** Use of one kept export: close it when the response is written. */
    final class Lease implements AutoCloseable {
        private final Slot slot;
        private final ExportFile file;
        private boolean released;

        private Lease(Slot slot, ExportFile file) {
            this.slot = slot;
            this.file = file;
        }

        ExportFile file() {
            return file;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                release(slot);
            }
        }
    }

    /** Access order: the eldest entry is the least recently used. */
    private final LinkedHashMap<Key, Slot> slots = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;
    private long plans;

    /**
     * The export of {@code key}: the kept one, or one planned now by {@code planner}.
     *
     * @param ifRange the request's {@code If-Range} (null without): a live file whose ETag it names is kept
     *                however long it has been idle
     */
    Lease acquire(Key key, String ifRange, Planner planner) throws IOException, ExportException {
        Slot slot;
        boolean planHere = false;
        synchronized (this) {
            if (closed) {
                throw new IOException("the web view is closing; try again once the producer is back");
            }
            slot = slots.get(key);
            if (slot != null && stale(slot, ifRange, System.nanoTime())) {
                drop(key, slot);
                slot = null;
            }
            if (slot == null) {
                slot = new Slot();
                slots.put(key, slot);
                planHere = true;
                plans++;
                trim();
            }
            slot.users++;
            slot.lastUsedNanos = System.nanoTime();
        }
        if (planHere) {
            try {
                slot.planned.complete(planner.plan());
            } catch (IOException | ExportException | RuntimeException e) {
                slot.planned.completeExceptionally(e);
                synchronized (this) {
                    slots.remove(key, slot); // failures are not kept: the next request tries again
                }
            }
        }
        try {
            return new Lease(slot, slot.planned.join().file());
        } catch (CompletionException e) {
            release(slot);
            switch (e.getCause()) {
                case IOException io -> throw io;
                case ExportException export -> throw export;
                case RuntimeException runtime -> throw runtime;
                default -> throw e;
            }
        }
    }

    /** Drops the files idle too long: called every few seconds. */
    synchronized void sweep() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<Key, Slot>> it = slots.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Slot> entry = it.next();
            if (idleTooLong(entry.getValue(), now)) {
                it.remove();
                dropped(entry.getKey(), entry.getValue());
            }
        }
    }

    /** Plannings started since the web view started: each request that found no kept file. */
    synchronized long plans() {
        return plans;
    }

    /** Exports kept now. */
    synchronized int size() {
        return slots.size();
    }

    /** Unused for {@link #IDLE}, live or not: a live file is kept that long for requests whose If-Range names it. */
    private static boolean idleTooLong(Slot slot, long now) {
        return slot.users == 0 && slot.planned.isDone()
                && (slot.planned.isCompletedExceptionally() || now - slot.lastUsedNanos > IDLE.toNanos());
    }

    /** Whether a request (with {@code ifRange}, or null) must replan rather than use the slot. */
    private static boolean stale(Slot slot, String ifRange, long now) {
        if (slot.users > 0 || !slot.planned.isDone()) {
            return false;
        }
        if (slot.planned.isCompletedExceptionally()) {
            return true;
        }
        Planned planned = slot.planned.join();
        long idle = now - slot.lastUsedNanos;
        if (planned.live()) {
            return idle > LIVE_IDLE.toNanos() && !planned.file().etag().equals(ifRange);
        }
        return idle > IDLE.toNanos();
    }

    private void trim() {
        for (Iterator<Map.Entry<Key, Slot>> it = slots.entrySet().iterator(); it.hasNext() && slots.size() > MAX_FILES; ) {
            Map.Entry<Key, Slot> eldest = it.next();
            it.remove();
            dropped(eldest.getKey(), eldest.getValue());
        }
    }

    private void drop(Key key, Slot slot) {
        slots.remove(key, slot);
        dropped(key, slot);
    }

    /** The slot left the map: its file closes now, or when its last download ends. */
    private void dropped(Key key, Slot slot) {
        slot.dropped = true;
        if (slot.users == 0) {
            closeFile(key.camera(), slot);
        }
    }

    private void release(Slot slot) {
        boolean close;
        synchronized (this) {
            slot.users--;
            slot.lastUsedNanos = System.nanoTime();
            close = slot.dropped && slot.users == 0;
        }
        if (close) {
            closeFile("", slot);
        }
    }

    private static void closeFile(String camera, Slot slot) {
        Optional<Planned> planned = slot.planned.isDone() && !slot.planned.isCompletedExceptionally()
                ? Optional.of(slot.planned.join()) : Optional.empty();
        planned.ifPresent(p -> {
            try {
                p.file().close();
            } catch (IOException e) {
                LOG.fine(() -> "web view: closing an export of " + camera + ": " + e);
            }
        });
    }

    /** Closes every kept file whose download has ended; the others close as their downloads end. */
    @Override
    public void close() {
        List<Map.Entry<Key, Slot>> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(slots.entrySet());
            slots.clear();
            for (Map.Entry<Key, Slot> entry : all) {
                dropped(entry.getKey(), entry.getValue());
            }
        }
    }
}
