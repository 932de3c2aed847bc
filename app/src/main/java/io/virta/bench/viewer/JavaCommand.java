package io.virta.bench.viewer;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A command line for another JVM like this one: the same java, JVM flags and class path. */
final class JavaCommand {
    private JavaCommand() {
    }

    static List<String> of(String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The launcher's flags (native access, Unsafe, the journal's opens) apply to the children as well.
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }
}
