package io.virta.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child {@code virta} JVM, as the launcher would start it: this JVM's java, the
 * flags it got from virta.jvm.flags (surefire's argLine; Chronicle Queue needs them), the test class path.
 */
public final class VirtaJvm {
    private VirtaJvm() {
    }

    public static List<String> command(String... virtaArguments) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(flags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.virta.cli.Virta"));
        command.addAll(List.of(virtaArguments));
        return command;
    }

    static List<String> flags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native-access")
                        || a.startsWith("--sun-misc-") || a.startsWith("-Dchronicle."))
                .toList();
    }
}
