package io.virta.cli;

import picocli.CommandLine.Option;

/**
 * The options every long-running command shares ({@code virta producer}, {@code virta recorder}): how often
 * it prints its status lines, and an optional stop after some seconds instead of at SIGTERM. A picocli
 * {@code @Mixin}; the values are checked by {@link #check}.
 */
final class RunLength {
    @Option(names = "--status-every", paramLabel = "S", defaultValue = "10",
            description = "print each camera's status every S seconds (default ${DEFAULT-VALUE}; 0 = never)")
    double statusEvery;
    @Option(names = "--seconds", paramLabel = "S",
            description = "stop after S seconds (default: run until SIGTERM or Ctrl-C)")
    double seconds;

    /** Null when both are usable, else what is wrong with them. */
    String check() {
        return statusEvery >= 0 && seconds >= 0 ? null : "--status-every and --seconds must not be negative";
    }
}
