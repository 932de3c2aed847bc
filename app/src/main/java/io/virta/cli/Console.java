package io.virta.cli;

import java.io.PrintStream;

/**
 * Where a command prints: its standard output (what it reports, JSON lines, help) and its standard
 * error (errors, progress). The launcher's commands get the process's own streams; tests hand in
 * buffers. Commands that only run in their own process (the demo, the producer, the benchmarks) print
 * to {@link System#out} directly.
 *
 * <pre>{@code
 * int status = Virta.run(new Console(new PrintStream(out), new PrintStream(err)), "bus", "ls");
 * }</pre>
 *
 * @param out standard output; thread-safe as {@link PrintStream} is
 * @param err standard error
 */
public record Console(PrintStream out, PrintStream err) {
    /** The process's streams as they are now (a test may have replaced them with {@link System#setOut}). */
    public static Console system() {
        return new Console(System.out, System.err);
    }
}
