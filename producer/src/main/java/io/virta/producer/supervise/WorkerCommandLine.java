package io.virta.producer.supervise;

import io.virta.producer.config.WorkerConfig;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command line of a supervised worker. A Java worker runs as {@code virta worker} in a JVM of
 * its own, with this JVM's java, class path and the flags Virta needs (native access, Chronicle's
 * opens); a {@code command:} worker runs as written, placeholders filled in.
 *
 * <p>Both are wrapped in {@code setpriv --pdeathsig KILL}, so the kernel kills a worker whose
 * producer died, even by SIGKILL, instead of leaving it orphaned and holding a reader slot.
 */
public final class WorkerCommandLine {
    static final String SETPRIV = "/usr/bin/setpriv";
    /** The CLI entry point that runs {@code virta worker}. */
    static final String VIRTA_MAIN = "io.virta.cli.Virta";
    /** JVM flags passed on to Java workers; other flags of this JVM (heap size, agents, debugger) are not. */
    private static final List<String> INHERITED_FLAG_PREFIXES = List.of("--add-opens", "--add-exports",
            "--enable-native-access", "--sun-misc-unsafe-memory-access", "-Dchronicle.", "-Dvirta.",
            "-Dorg.bytedeco.", "-Djava.util.logging.");

    private WorkerCommandLine() {
    }

    /** The program and its arguments, placeholders filled in from {@code values}. */
    static List<String> of(WorkerConfig worker, Map<String, String> values) {
        List<String> command;
        if (worker.javaWorker() != null) {
            command = virtaCommand("worker", worker.javaWorker(), "--camera", worker.camera(), "--control",
                    values.get("control"), "--hub", values.get("hub"), "--name", worker.name());
        } else {
            command = diesWithThisProcess();
            for (String part : worker.command()) {
                command.add(WorkerConfig.expand(part, values));
            }
        }
        for (String arg : worker.args()) {
            command.add(WorkerConfig.expand(arg, values));
        }
        return List.copyOf(command);
    }

    /**
     * A {@code virta <arguments>} command in a child JVM like this one (same Java, classpath and flags),
     * which dies with this process.
     */
    public static List<String> virtaCommand(String... arguments) {
        List<String> command = diesWithThisProcess();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(inheritedJvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), VIRTA_MAIN));
        command.addAll(List.of(arguments));
        return command;
    }

    /** The start of a command line whose program gets SIGKILL when this process dies (where setpriv exists). */
    private static List<String> diesWithThisProcess() {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of(SETPRIV))) {
            command.addAll(List.of(SETPRIV, "--pdeathsig", "KILL", "--"));
        }
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
