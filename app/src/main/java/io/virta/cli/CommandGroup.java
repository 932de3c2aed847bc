package io.virta.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * A command that only holds subcommands ({@code virta}, {@code virta bus}, {@code virta bench}): run
 * without one, it prints its usage and exits with status 2, as a usage mistake does.
 */
abstract class CommandGroup implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Virta.USAGE_ERROR;
    }
}
