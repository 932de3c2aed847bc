package io.virta.viewer;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Counts the heap bytes the render thread and the feed threads allocate once start-up is over, for the
 * summary line: the per-frame paths are meant to allocate nothing, and this shows whether they do.
 */
final class AllocationMeter {
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long renderThread;
    private long[] feedThreads;
    private long renderAtStart;
    private long feedsAtStart;
    private long redrawsAtStart;
    private long presentedAtStart;
    private boolean started;

    /** Called on the render thread. */
    void start(long[] feedThreadIds, long redraws, long presented) {
        renderThread = Thread.currentThread().threadId();
        feedThreads = feedThreadIds;
        renderAtStart = threads.getThreadAllocatedBytes(renderThread);
        feedsAtStart = feeds();
        redrawsAtStart = redraws;
        presentedAtStart = presented;
        started = true;
    }

    boolean started() {
        return started;
    }

    private long feeds() {
        long sum = 0;
        for (long id : feedThreads) {
            long bytes = threads.getThreadAllocatedBytes(id);
            sum += Math.max(0, bytes);
        }
        return sum;
    }

    String summary(long redraws, long presented) {
        if (!started) {
            return "viewer: allocated after start-up: not measured (ran less than the start-up time)";
        }
        long render = threads.getThreadAllocatedBytes(renderThread) - renderAtStart;
        long feed = feeds() - feedsAtStart;
        return String.format(Locale.ROOT, "viewer: allocated after start-up: render thread %d bytes, feed threads %d"
                + " bytes, over %d frames presented and %d redraws", render, feed, presented - presentedAtStart,
                redraws - redrawsAtStart);
    }
}
