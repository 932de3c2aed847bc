package io.virta.producer.supervise;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start a Java program in a JVM of its own: the java executable, the JVM flags, the class path,
 * the main class and the first arguments. The supervisor starts each Java worker (a {@code worker:}
 * entry) with the launch its creator gave it, followed by
 * {@code WORKER --camera C --control A --hub A --name N} and the entry's {@code args:}; the producer
 * does not know which program runs workers, the application that builds it does.
 *
 * <p>Immutable and safe to share between threads. Each argument stays one word of the command line
 * (no shell parses it), so a camera name or an argument from the configuration cannot become an option
 * of the JVM. Usage, in the application:
 *
 * <pre>{@code
 * JvmLaunch workers = JvmLaunch.likeThisJvm(Virta.class, "worker");   // virta worker NAME ...
 * producer.startWorkers(control.localTarget(), control.clientEnvironment(), workers, OutputSink.STDOUT);
 * }</pre>
 *
 * @param java            the java executable
 * @param jvmFlags        flags before the class path (native access, Chronicle's opens, properties)
 * @param classPath       the {@code -cp} value
 * @param mainClass       the binary name of the class whose {@code main} runs
 * @param argumentsPrefix the program's first arguments (a subcommand), before each launch's own
 */
public record JvmLaunch(Path java, List<String> jvmFlags, String classPath, String mainClass,
        List<String> argumentsPrefix) {
    /** JVM flags passed on to child JVMs; other flags of this JVM (heap size, agents, debugger) are not. */
    private static final List<String> INHERITED_FLAG_PREFIXES = List.of("--add-opens", "--add-exports",
            "--enable-native-access", "--sun-misc-unsafe-memory-access", "-Dchronicle.", "-Dvirta.",
            "-Dorg.bytedeco.", "-Djava.util.logging.");

    public JvmLaunch {
        jvmFlags = List.copyOf(jvmFlags);
        argumentsPrefix = List.copyOf(argumentsPrefix);
        if (classPath.isBlank() || mainClass.isBlank()) {
            throw new IllegalArgumentException("a JVM launch needs a class path and a main class; got class path '"
                    + classPath + "', main class '" + mainClass + "'");
        }
    }

    /**
     * {@code mainClass} with {@code argumentsPrefix} in a JVM like this one: the same java, class path and
     * the flags Virta needs (native access, Chronicle's opens, {@code -Dvirta.}/{@code -Dorg.bytedeco.}
     * properties), so that the child finds what this process found.
     */
    public static JvmLaunch likeThisJvm(Class<?> mainClass, String... argumentsPrefix) {
        return likeThisJvm(mainClass.getName(), argumentsPrefix);
    }

    /**
     * As {@link #likeThisJvm(Class, String...)}, for a main class the caller may not refer to (a benchmark
     * starting the command line that depends on it); {@code mainClassName} is its binary name.
     */
    public static JvmLaunch likeThisJvm(String mainClassName, String... argumentsPrefix) {
        return new JvmLaunch(Path.of(System.getProperty("java.home"), "bin", "java"), inheritedJvmFlags(),
                System.getProperty("java.class.path"), mainClassName, List.of(argumentsPrefix));
    }

    /** The command line: java, flags, {@code -cp}, main class, the prefix, then {@code arguments}. */
    public List<String> command(List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", classPath, mainClass));
        command.addAll(argumentsPrefix);
        command.addAll(arguments);
        return command;
    }

    private static List<String> inheritedJvmFlags() {
        List<String> flags = new ArrayList<>();
        List<String> input = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < input.size(); i++) {
            String flag = input.get(i);
            if (INHERITED_FLAG_PREFIXES.stream().noneMatch(flag::startsWith)) {
                continue;
            }
            flags.add(flag);
            // "--add-opens X" spelled as two words: keep the value with its flag.
            if (flag.startsWith("--") && !flag.contains("=") && i + 1 < input.size()) {
                flags.add(input.get(++i));
            }
        }
        return flags;
    }
}
