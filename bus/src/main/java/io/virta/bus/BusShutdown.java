package io.virta.bus;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The bus's one JVM shutdown hook, with room for the application's own shutdown in front of it.
 *
 * <p>The JVM runs shutdown hooks concurrently and in no order. A hook of the application that stops
 * the threads publishing into channels (decoders, I/O loops) would race the bus's hook that closes
 * every writer still open: a publisher would then write into a channel closed and unmapped under it
 * (an exception, or a crash inside native code writing a picture). So the application hands its
 * shutdown to {@link #first(Runnable)} instead of {@link Runtime#addShutdownHook}: on SIGTERM or
 * {@link System#exit} this hook runs those steps, in the order they were registered, and only then
 * closes the writers they left open, so readers still see an orderly END_OF_STREAM.
 *
 * <pre>{@code
 * BusShutdown.Registration stop = BusShutdown.first(producer::close);
 * ...            // run until SIGTERM
 * stop.cancel(); // stopping on our own instead: close the producer ourselves
 * }</pre>
 *
 * <p>Threads: steps run on the hook thread, one after the other; a step that throws is reported on
 * standard error and the next one still runs. Steps must not call {@link System#exit}.
 */
public final class BusShutdown {
    private static final CopyOnWriteArrayList<Runnable> FIRST = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("virta-bus-shutdown").unstarted(BusShutdown::run));
    }

    private BusShutdown() {
    }

    /** A step registered with {@link #first(Runnable)}. */
    @FunctionalInterface
    public interface Registration {
        /** Withdraws the step (when the application stops on its own); does nothing if it ran or was withdrawn. */
        void cancel();
    }

    /** Runs {@code step} at JVM shutdown before the bus closes the writers still open. */
    public static Registration first(Runnable step) {
        // A distinct object per registration, so that cancel removes this one even if the same step is given twice.
        Runnable entry = step::run;
        FIRST.add(entry);
        return () -> FIRST.remove(entry);
    }

    /** Makes sure the hook is installed: writers register through here so that leftovers close at exit. */
    static void install() {
        // Loading the class installs the hook (static initializer); nothing else to do.
    }

    private static void run() {
        for (Runnable step : FIRST) {
            try {
                step.run();
            } catch (RuntimeException | Error e) {
                System.err.println("virta bus: a shutdown step failed: " + e);
            }
        }
        WriterTicker.closeAll();
    }
}
