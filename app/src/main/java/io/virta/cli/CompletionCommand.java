package io.virta.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code virta completion}: prints a bash completion script for every command and option, generated
 * from the same model as the help. Bash looks up {@code ./virta} by its last part, so the script serves
 * the launcher wherever it is run from.
 *
 * <pre>{@code
 * source <(./virta completion)                                   # this shell
 * ./virta completion > ~/.local/share/bash-completion/completions/virta   # every new shell
 * }</pre>
 */
@Command(name = "completion", description = "Print a bash completion script: source <(./virta completion)",
        footer = {"To have it in every new shell:",
                "  ./virta completion > ~/.local/share/bash-completion/completions/virta"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    private final Console console;

    CompletionCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        console.out().print(AutoComplete.bash("virta", spec.root().commandLine()));
        console.out().flush();
        return 0;
    }
}
