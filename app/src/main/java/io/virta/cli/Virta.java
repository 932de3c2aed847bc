package io.virta.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * The {@code virta} command: one entry point, a subcommand each; the {@code ./virta} launcher calls
 * {@link #main}. Every command's options, help text and shell completion come from one model, the
 * picocli annotations on the command classes; {@link #commandLine} adds what all of them share (the
 * help option, how usage errors and values are reported) in one place.
 *
 * <p>Exit status: 0 done, 1 failed (the message says why), 2 a usage mistake (the message names it).
 * Each run builds its own command tree; the commands hold the parsed options of that one run.
 *
 * <pre>{@code
 * int status = Virta.run("bus", "ls");                      // as ./virta bus ls, in this JVM
 * int help = Virta.run(console, "producer", "--help");      // output into a test's buffers
 * }</pre>
 */
@Command(name = "virta",
        description = "Cameras connected once, decoded once, and shared through the bus (README.md).",
        subcommands = {Demo.class, ProducerCommand.class, HubCommand.class, BusCommand.class, WorkerCommand.class,
                RecorderCommand.class, RecordCommand.class,
                ViewerCommand.class, Bench.class, TestCommand.class, CompletionCommand.class, HelpCommand.class},
        footer = "'virta COMMAND --help' shows a command's options; 'virta completion' prints a bash completion script.")
public final class Virta extends CommandGroup {
    /** The status of a usage mistake, and of a command group run without a command. */
    static final int USAGE_ERROR = 2;
    /** The status of a command that failed. */
    static final int FAILED = 1;
    /** Usage lines wrap here: wide enough for the options' descriptions, narrow enough for a terminal. */
    private static final int HELP_WIDTH = 110;

    public static void main(String[] argv) {
        // One line per log record: time, level, logger, message.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        System.exit(run(argv));
    }

    /** Runs {@code virta argv...} in this JVM with the process's streams; the exit status. */
    public static int run(String... argv) {
        return run(Console.system(), argv);
    }

    /** Runs {@code virta argv...} in this JVM, printing to {@code console}; the exit status. */
    public static int run(Console console, String... argv) {
        return commandLine(console).execute(argv);
    }

    /**
     * Runs {@code virta argv...} in this JVM, printing to {@code console}, with {@code clock} as "now" (relative
     * times such as {@code --from -10m}) and its zone for the times commands print; the exit status.
     */
    public static int run(Console console, Clock clock, String... argv) {
        return commandLine(console, clock).execute(argv);
    }

    /** {@code command} followed by {@code argv}: the command line of {@code virta command argv...}. */
    public static String[] command(String command, String... argv) {
        String[] line = new String[argv.length + 1];
        line[0] = command;
        System.arraycopy(argv, 0, line, 1, argv.length);
        return line;
    }

    /** The whole command tree, printing to {@code console}, ready to parse one command line. */
    static CommandLine commandLine(Console console) {
        return commandLine(console, Clock.systemDefaultZone());
    }

    /** As {@link #commandLine(Console)}, with {@code clock} as the commands' "now" and time zone. */
    static CommandLine commandLine(Console console, Clock clock) {
        CommandLine virta = new CommandLine(new Virta(), new ConsoleFactory(console, clock));
        virta.setOut(new PrintWriter(console.out(), true))
                .setErr(new PrintWriter(console.err(), true))
                .setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
                .setUsageHelpWidth(HELP_WIDTH)
                // As before picocli: a repeated option keeps its last value, and a flag's name is all it takes.
                .setOverwrittenOptionsAllowed(true)
                .setParameterExceptionHandler(new UsageErrors())
                .setExecutionExceptionHandler(Virta::failed);
        Converters.registerOn(virta, clock);
        eachCommand(virta.getCommandSpec(), spec -> {
            if (spec.findOption("--help") == null) {
                spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("show this help and exit").build());
            }
            spec.usageMessage().synopsisHeading("usage: ").synopsisSubcommandLabel("COMMAND")
                    .parameterListHeading("%narguments:%n").optionListHeading("%noptions:%n")
                    .commandListHeading("%ncommands:%n").footerHeading("%n").abbreviateSynopsis(true).sortOptions(false);
        });
        return virta;
    }

    private static void eachCommand(CommandSpec spec, Consumer<CommandSpec> action) {
        action.accept(spec);
        for (CommandLine sub : spec.subcommands().values()) {
            eachCommand(sub.getCommandSpec(), action);
        }
    }

    /**
     * A benchmark that fails says so in one line (a missing peer program, a camera that never came
     * online), as before; any other command's failure is a bug, and its stack trace is what to report.
     */
    private static int failed(Exception e, CommandLine command, CommandLine.ParseResult parsed) throws Exception {
        CommandSpec parent = command.getCommandSpec().parent();
        if (parent != null && parent.userObject() instanceof Bench) {
            command.getErr().println("virta bench: " + e.getMessage());
            command.getErr().flush();
            return FAILED;
        }
        throw e;
    }

    /**
     * Makes the commands: one that takes a {@link Console} (and a {@link Clock}) in its constructor gets this
     * run's, the rest are made as picocli makes them.
     */
    private record ConsoleFactory(Console console, Clock clock) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                Constructor<K> withClock = type.getDeclaredConstructor(Console.class, Clock.class);
                withClock.setAccessible(true);
                return withClock.newInstance(console, clock);
            } catch (NoSuchMethodException noClock) {
                // the usual case: a command that prints but reads no time
            }
            try {
                Constructor<K> withConsole = type.getDeclaredConstructor(Console.class);
                withConsole.setAccessible(true);
                return withConsole.newInstance(console);
            } catch (NoSuchMethodException noConsole) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
