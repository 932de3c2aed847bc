package io.virta.cli;

import io.virta.producer.config.EditDistance;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How every command reports a mistake on its command line: one line that names the command and what
 * is wrong (a misspelt option with the nearest real one), one that says where the options are, and
 * status 2. Picocli finds most mistakes while parsing; a command finds the rest (a value out of range,
 * an option that needs another) and throws {@link #error} from its {@code call()}, which picocli hands
 * here too.
 *
 * <pre>{@code
 * error: virta bus write: unknown option '--cuont'; did you mean '--count'?
 * (run 'virta bus write --help' for its options)
 * }</pre>
 *
 * <p>Stateless; one instance serves a whole command tree.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    /** Suggestions further than this many edits from what was typed are more confusing than helpful. */
    private static final int MAX_EDITS = 3;

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("error: " + describe(e));
        err.flush();
        return Virta.USAGE_ERROR;
    }

    /** A mistake that {@code spec}'s command found after parsing; {@code message} names the option. */
    static ParameterException error(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code e} with the message a user reads, for callers that parse without executing (tests). */
    static ParameterException restated(ParameterException e) {
        return new ParameterException(e.getCommandLine(), describe(e), e);
    }

    /** {@code virta bus read: missing channel NAME} and, on a line of its own, where the options are. */
    static String describe(ParameterException e) {
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        String command = spec.qualifiedName();
        return command + ": " + problem(e, spec) + "\n(run '" + command + " --help' for its "
                + (spec.subcommands().isEmpty() ? "options" : "commands") + ")";
    }

    private static String problem(ParameterException e, CommandSpec spec) {
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String typed = unmatched.getUnmatched().getFirst();
            if (unmatched.isUnknownOption()) {
                List<String> names = new ArrayList<>();
                spec.options().stream().filter(option -> !option.hidden()).forEach(o -> names.addAll(List.of(o.names())));
                String bare = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
                return "unknown option '" + typed + "'" + didYouMean(bare, names);
            }
            if (!spec.subcommands().isEmpty()) {
                return "unknown command '" + typed + "'" + didYouMean(typed, List.copyOf(spec.subcommands().keySet()));
            }
            return "unexpected argument '" + typed + "'";
        }
        return lowerFirst(e.getMessage());
    }

    /**
     * {@code "; did you mean '--count'?"} for the name {@code typed} most likely meant: the one fewest
     * edits away (a swap of two neighbouring letters is one edit), or else the only one that starts with
     * it; empty when none is close.
     */
    static String didYouMean(String typed, List<String> names) {
        int allowed = Math.min(MAX_EDITS, Math.max(1, typed.replaceFirst("^-+", "").length() / 3));
        String nearest = null;
        int nearestEdits = Integer.MAX_VALUE;
        List<String> extending = new ArrayList<>();
        for (String name : names) {
            int edits = EditDistance.between(typed, name);
            if (edits < nearestEdits) {
                nearest = name;
                nearestEdits = edits;
            }
            if (name.startsWith(typed)) {
                extending.add(name);
            }
        }
        if (nearest != null && nearestEdits <= allowed) {
            return "; did you mean '" + nearest + "'?";
        }
        return extending.size() == 1 ? "; did you mean '" + extending.getFirst() + "'?" : "";
    }

    /** Picocli's sentences start with a capital; ours (and the rest of an error line) do not. */
    private static String lowerFirst(String message) {
        if (message.length() > 1 && Character.isUpperCase(message.charAt(0)) && Character.isLowerCase(message.charAt(1))) {
            return message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
        }
        return message;
    }
}
